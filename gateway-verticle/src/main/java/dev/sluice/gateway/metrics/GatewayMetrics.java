package dev.sluice.gateway.metrics;

import dev.sluice.gateway.circuit.CircuitScope;
import dev.sluice.gateway.circuit.CircuitState;
import dev.sluice.gateway.circuit.RouteCircuit;
import dev.sluice.gateway.config.LimiterFailureMode;
import dev.sluice.gateway.retry.RetryingCall;
import dev.sluice.gateway.upstream.RouteTargets;
import dev.sluice.gateway.upstream.Target;
import dev.sluice.gateway.upstream.UpstreamOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.LongTaskTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.vertx.circuitbreaker.CircuitBreakerState;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Sluice's own meters, named as docs/architecture.md lists them (Prometheus adds {@code _total} and
 * {@code _seconds}). One per verticle instance, over the node's shared registry; meters are
 * looked up once per label set and kept, so the request path does no registry lookups.
 */
public final class GatewayMetrics {
  static final String REQUESTS = "sluice.requests";
  static final String DURATION = "sluice.request.duration";
  static final String ATTEMPTS = "sluice.upstream.attempts";
  static final String RETRIES = "sluice.retries";
  static final String RATE_LIMITED = "sluice.rate.limited";
  static final String CLIENT_ABORTS = "sluice.client.aborts";
  static final String CIRCUIT_STATE = "sluice.circuit.state";
  static final String CIRCUIT_NODE_SCOPE = "sluice.circuit.node.scope";
  static final String TRANSITIONS = "sluice.circuit.transitions";
  static final String FALLBACK = "sluice.limiter.fallback";
  static final String RETRIES_SKIPPED = "sluice.retries.skipped";
  static final String TUNNELS = "sluice.websocket.tunnels";
  static final String TARGET_REQUESTS = "sluice.upstream.requests";
  static final String TARGET_UP = "sluice.upstream.target.up";
  static final String PENDING_OVERFLOW = "sluice.upstream.pending.overflow";
  static final String SHED = "sluice.shed";
  /** Reasons of {@code sluice_shed_total}: over {@code http.maxConnections}, over a route's {@code maxInFlight}. */
  public static final String SHED_CONNECTIONS = "connections";
  public static final String SHED_IN_FLIGHT = "in_flight";

  /** Prometheus wants help text on every metric (promtool check metrics). */
  private static final Map<String, String> HELP = Map.ofEntries(
    Map.entry(TARGET_REQUESTS, "Attempts sent upstream, by route, target and outcome"),
    Map.entry(TARGET_UP, "1 while the target takes requests, 0 while it is ejected or failing its health check"),
    Map.entry(
REQUESTS, "Requests answered, by route, method and status"),
    Map.entry(DURATION, "Time from request to answer, by route"),
    Map.entry(ATTEMPTS, "Attempts sent upstream, by route and outcome"),
    Map.entry(RETRIES, "Attempts beyond the first, by route"),
    Map.entry(RATE_LIMITED, "Requests refused with 429, by route"),
    Map.entry(CLIENT_ABORTS, "Answers cut short because the client left or stopped reading (never a circuit failure), by route"),
    Map.entry(TRANSITIONS, "Circuit transitions made by this node's instances, by route and target state"),
    Map.entry(CIRCUIT_STATE, "0 closed, 1 open, 2 half-open"),
    Map.entry(CIRCUIT_NODE_SCOPE,
      "1 while the route's circuit is open or half-open on this node only (no quorum), 0 while closed or cluster-wide"),
    Map.entry(FALLBACK, "Requests answered by redis.onFailure while Redis was unavailable, by mode"),
    Map.entry(RETRIES_SKIPPED, "Retries the route's policy asked for but that could not be made, by route and reason"),
    Map.entry(TUNNELS, "WebSocket tunnels open through this node, by route"),
    Map.entry(PENDING_OVERFLOW,
      "Requests answered 503 UPSTREAM_BUSY: no pooled connection to the target within http.poolWaitMs, by route and target"),
    Map.entry(SHED, "Requests answered 503 OVERLOADED, by route and reason (connections or in_flight)"));

  /** Buckets from a fast proxy hop to a slow upstream's timeout. */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
    Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
    Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

  /** The attempt outcomes an alert on upstream health looks at; rarer ones appear with their first. */
  private static final String[] DECLARED_OUTCOMES = {"2xx", "4xx", "5xx", "timeout", "connect_error"};

  private final MeterRegistry registry;
  private final Map<String, Counter> counters = new HashMap<>();
  /** The per-request meters, found without building a key string per request. */
  private final Map<String, RouteMeters> routes = new HashMap<>();
  private final Map<LimiterFailureMode, Counter> fallbacks = new EnumMap<>(LimiterFailureMode.class);

  public GatewayMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  /**
   * Registers every meter whose label set is known in advance for {@code route} at 0, so that
   * alerts and {@code rate()} see the series before the first 429, retry or transition (a counter
   * that appears only with its first event has no "before" to compare with). Called for the
   * config's routes at start and for a reload's routes; registering an existing meter is a lookup.
   * {@code sluice_requests_total} is not among them: its method and status are not known before a
   * request; {@code sluice_request_duration_seconds_count} stands for the route's requests meanwhile.
   */
  public void declareRoute(String route) {
    routeMeters(route);
    counter(RATE_LIMITED, "route", route);
    counter(CLIENT_ABORTS, "route", route);
    counter(RETRIES, "route", route);
    counter(RETRIES_SKIPPED, "route", route, "reason", RetryingCall.BODY_STREAMED);
    counter(SHED, "route", route, "reason", SHED_CONNECTIONS);
    counter(SHED, "route", route, "reason", SHED_IN_FLIGHT);
    for (CircuitBreakerState to : CircuitBreakerState.values()) {
      transitions(route, to);
    }
    for (String outcome : DECLARED_OUTCOMES) {
      counter(ATTEMPTS, "route", route, "outcome", outcome);
    }
  }

  /**
   * The route's counters on this node now, read from the registry (not from this instance's own
   * meters: the registry hands every instance of the node the same ones). Once a second, by the
   * node's stats publisher: no cost on the request path.
   */
  public RouteTotals totals(String route) {
    long serverErrors = 0;
    for (Counter c : registry.find(REQUESTS).tag("route", route).counters()) {
      String status = c.getId().getTag("status");
      if (status != null && status.length() == 3 && status.charAt(0) == '5') {
        serverErrors += (long) c.count();
      }
    }
    Timer timer = registry.find(DURATION).tag("route", route).timer();
    double[] bounds = new double[BUCKETS.length];
    long[] counts = new long[BUCKETS.length];
    long requests = 0;
    if (timer != null) {
      HistogramSnapshot snapshot = timer.takeSnapshot();
      requests = snapshot.count();
      CountAtBucket[] buckets = snapshot.histogramCounts();
      for (int i = 0; i < BUCKETS.length && i < buckets.length; i++) {
        bounds[i] = buckets[i].bucket(TimeUnit.MILLISECONDS);
        counts[i] = (long) buckets[i].count();
      }
    } else {
      for (int i = 0; i < BUCKETS.length; i++) {
        bounds[i] = BUCKETS[i].toNanos() / 1e6;
      }
    }
    long cacheHits = 0;
    long cacheLookups = 0;
    for (Counter c : registry.find(CacheMetrics.REQUESTS).tag("route", route).counters()) {
      cacheLookups += (long) c.count();
      cacheHits += "hit".equals(c.getId().getTag("result")) ? (long) c.count() : 0;
    }
    return new RouteTotals(route, requests, count(RATE_LIMITED, route), serverErrors, count(RETRIES, route),
      bounds, counts, cacheHits, cacheLookups);
  }

  private long count(String name, String route) {
    Counter c = registry.find(name).tag("route", route).counter();
    return c == null ? 0 : (long) c.count();
  }

  public void requestCompleted(String route, String method, int status, long nanos) {
    RouteMeters meters = routeMeters(route);
    meters.requests(method, status).increment();
    meters.duration.record(nanos, TimeUnit.NANOSECONDS);
  }

  /** An attempt to one target of the route: counted by route, and by route, target and outcome. */
  public void attempt(String route, String target, UpstreamOutcome outcome) {
    RouteMeters meters = routeMeters(route);
    meters.attempts(outcome).increment();
    meters.targetAttempts(target, outcome).increment();
    if (outcome.kind() == UpstreamOutcome.Kind.BUSY) {
      pendingOverflow(route, target).increment();
    }
  }

  /** {@code sluice_upstream_pending_overflow_total{route,target}}. */
  private Counter pendingOverflow(String route, String target) {
    return counter(PENDING_OVERFLOW, "route", route, "target", target);
  }

  /** {@code sluice_shed_total{route,reason}}: a request this node refused because it is itself overloaded. */
  public void shed(String route, String reason) {
    counter(SHED, "route", route, "reason", reason).increment();
  }

  /**
   * {@code sluice_upstream_target_up{route,target}}. Ejections are shared by every instance, so
   * the first instance's view stands for the node, as with the circuit gauge; a reload that
   * drops a target drops its gauge ({@link #unwatch(String, String)}), one that keeps it keeps the
   * state the gauge reads.
   */
  public void watch(RouteTargets targets) {
    synchronized (registry) {
      for (Target target : targets.targets()) {
        pendingOverflow(targets.route(), target.name()); // at 0 from start-up, like every route counter
        Gauge existing = registry.find(TARGET_UP).tag("route", targets.route()).tag("target", target.name()).gauge();
        if (existing != null) {
          continue;
        }
        Gauge.builder(TARGET_UP, target.state(), s -> s.available(System.nanoTime() / 1_000_000) ? 1 : 0)
          .description(HELP.get(TARGET_UP))
          .tags("route", targets.route(), "target", target.name())
          .register(registry);
      }
    }
  }

  /** Drops the gauge of a target that a route reload removed. */
  public void unwatch(String route, String target) {
    synchronized (registry) {
      Gauge gauge = registry.find(TARGET_UP).tag("route", route).tag("target", target).gauge();
      if (gauge != null) {
        registry.remove(gauge);
      }
    }
  }

  public void retries(String route, int retries) {
    if (retries > 0) {
      counter(RETRIES, "route", route).increment(retries);
    }
  }

  /** A retry the policy wanted but could not make ({@code body_streamed}: the body was no longer whole). */
  public void retrySkipped(String route, String reason) {
    counter(RETRIES_SKIPPED, "route", route, "reason", reason).increment();
  }

  /**
   * Counts a tunnel as open until {@code closed} completes. A long-task timer, because the registry
   * hands every instance of the node the same one: its active count is the node's open tunnels
   * ({@code sluice_websocket_tunnels_active_count}), and its duration how long they have been open.
   */
  public void tunnel(String route, io.vertx.core.Future<?> closed) {
    LongTaskTimer.Sample open = LongTaskTimer.builder(TUNNELS).description(HELP.get(TUNNELS)).tag("route", route)
      .register(registry).start();
    closed.onComplete(ar -> open.stop());
  }

  /** A client left (closed or reset its connection, or stopped reading) before its answer's last byte. */
  public void clientAborted(String route) {
    counter(CLIENT_ABORTS, "route", route).increment();
  }

  public void rateLimited(String route) {
    counter(RATE_LIMITED, "route", route).increment();
  }

  public void transition(String route, CircuitState to) {
    transitions(route, to.state()).increment();
  }

  /**
   * {@code sluice_circuit_transitions_total{route,to}}, the labels DESIGN.md names. Whether a
   * circuit is open on one node only is not a label here: each node's
   * {@code sluice_circuit_state{route}} says it (open on some nodes, closed on others), and
   * {@code /__circuit} gives each view's scope.
   */
  private Counter transitions(String route, CircuitBreakerState to) {
    return counter(TRANSITIONS, "route", route, "to", to.name().toLowerCase(Locale.ROOT));
  }

  /** Per request while Redis is down, so found by mode without building a key. */
  public void limiterFallback(LimiterFailureMode mode) {
    fallbacks.computeIfAbsent(mode, m -> counter(FALLBACK, "mode", m.name().toLowerCase(Locale.ROOT))).increment();
  }

  /**
   * {@code sluice_circuit_state{route}} (0 closed, 1 open, 2 half-open) and
   * {@code sluice_circuit_node_scope{route}}. Every instance of a node agrees on the state, so the
   * gauges of the first instance to register stand for the node. The scope is a gauge of its own
   * rather than a label on the state: a gauge's labels are fixed when it is registered, so a label
   * would mean two state series per route, and every query that expects one per node would change.
   */
  public void watch(RouteCircuit circuit) {
    // Instances start on different event loops: find-then-register must not race (Micrometer
    // would keep the first gauge anyway, but warn about the second).
    synchronized (registry) {
      if (registry.find(CIRCUIT_STATE).tag("route", circuit.route()).gauge() != null) {
        return;
      }
      gauge(CIRCUIT_STATE, circuit, c -> stateValue(c.state()));
      gauge(CIRCUIT_NODE_SCOPE, circuit, c -> isOpenOnThisNodeOnly(c.view()) ? 1 : 0);
    }
  }

  private void gauge(String name, RouteCircuit circuit, ToDoubleFunction<RouteCircuit> value) {
    Gauge.builder(name, circuit, value).description(HELP.get(name)).tag("route", circuit.route()).register(registry);
  }

  /** Drops the gauges of a circuit a route reload retired, so the route's gauges follow its new circuit. */
  public void unwatch(RouteCircuit circuit) {
    synchronized (registry) {
      for (String name : List.of(CIRCUIT_STATE, CIRCUIT_NODE_SCOPE)) {
        Gauge gauge = registry.find(name).tag("route", circuit.route()).gauge();
        if (gauge != null) {
          registry.remove(gauge);
        }
      }
    }
  }

  static boolean isOpenOnThisNodeOnly(CircuitState view) {
    return view.state() != CircuitBreakerState.CLOSED && view.scope() == CircuitScope.NODE;
  }

  static int stateValue(CircuitBreakerState state) {
    return switch (state) {
      case CLOSED -> 0;
      case OPEN -> 1;
      case HALF_OPEN -> 2;
    };
  }

  private static String outcomeLabel(UpstreamOutcome outcome) {
    return switch (outcome.kind()) {
      case TIMEOUT -> "timeout";
      case CONNECT_FAILURE -> "connect_error";
      case REQUEST_ABORTED -> "client_aborted";
      case BUSY -> "pool_busy";
      case RESPONSE -> (outcome.response().statusCode() / 100) + "xx";
    };
  }

  private Counter counter(String name, String... tags) {
    return counters.computeIfAbsent(name + String.join("\u0000", tags),
      k -> Counter.builder(name).description(HELP.get(name)).tags(tags).register(registry));
  }

  private RouteMeters routeMeters(String route) {
    RouteMeters meters = routes.get(route);
    if (meters == null) {
      meters = new RouteMeters(route);
      routes.put(route, meters);
    }
    return meters;
  }

  /** One route's request, latency and attempt meters, indexed by status and outcome. */
  private final class RouteMeters {
    private static final int STATUSES = 600;
    private final String route;
    private final Timer duration;
    private final Map<String, Counter[]> requestsByMethod = new HashMap<>(8);
    /** 1xx..5xx by status / 100, then timeout and connect error. */
    private final Counter[] attempts = new Counter[8];
    private final Map<String, Counter[]> targetAttempts = new HashMap<>(4);

    RouteMeters(String route) {
      this.route = route;
      this.duration = Timer.builder(DURATION)
        .description(HELP.get(DURATION))
        .tags("route", route)
        .serviceLevelObjectives(BUCKETS)
        .register(registry);
    }

    Counter requests(String method, int status) {
      if (status < 0 || status >= STATUSES) {
        return counter(REQUESTS, "route", route, "method", method, "status", Integer.toString(status));
      }
      Counter[] byStatus = requestsByMethod.computeIfAbsent(method, m -> new Counter[STATUSES]);
      Counter counter = byStatus[status];
      if (counter == null) {
        counter = counter(REQUESTS, "route", route, "method", method, "status", Integer.toString(status));
        byStatus[status] = counter;
      }
      return counter;
    }

    Counter targetAttempts(String target, UpstreamOutcome outcome) {
      Counter[] byOutcome = targetAttempts.computeIfAbsent(target, t -> new Counter[8]);
      int index = index(outcome);
      if (index < 1 || index > 7) {
        return counter(TARGET_REQUESTS, "route", route, "target", target, "outcome", outcomeLabel(outcome));
      }
      Counter counter = byOutcome[index];
      if (counter == null) {
        counter = counter(TARGET_REQUESTS, "route", route, "target", target, "outcome", outcomeLabel(outcome));
        byOutcome[index] = counter;
      }
      return counter;
    }

    Counter attempts(UpstreamOutcome outcome) {
      int index = index(outcome);
      if (index < 1 || index > 7) {
        return counter(ATTEMPTS, "route", route, "outcome", outcomeLabel(outcome));
      }
      Counter counter = attempts[index];
      if (counter == null) {
        counter = counter(ATTEMPTS, "route", route, "outcome", outcomeLabel(outcome));
        attempts[index] = counter;
      }
      return counter;
    }

    private static int index(UpstreamOutcome outcome) {
      return switch (outcome.kind()) {
        case RESPONSE -> outcome.response().statusCode() >= 100 && outcome.response().statusCode() < 600
          ? outcome.response().statusCode() / 100 : -1;
        case TIMEOUT -> 6;
        case CONNECT_FAILURE -> 7;
        case REQUEST_ABORTED, BUSY -> -1;
      };
    }
  }
}
