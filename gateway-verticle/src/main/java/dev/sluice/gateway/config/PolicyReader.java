package dev.sluice.gateway.config;

import dev.sluice.gateway.retry.Jitter;
import dev.sluice.gateway.retry.RetryOn;
import dev.sluice.gateway.retry.RetryOptions;
import dev.sluice.gateway.upstream.Balance;
import dev.sluice.gateway.upstream.HealthOptions;
import dev.sluice.gateway.upstream.OutlierOptions;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads the per-route knobs ({@code timeoutMs}, {@code rateLimit}, {@code circuit}, {@code retry},
 * {@code balance}, {@code outlier}, {@code health}, {@code maxInFlight}) on top of a
 * base policy: {@code defaults} is read on top of {@link RoutePolicy#DEFAULT}, each route on top of
 * {@code defaults}. Every key falls back to the base's value on its own, which is what makes a route's
 * {@code rateLimit: {limit: 5}} keep the default {@code windowMs} (a deep merge); a list is one value and is
 * replaced whole.
 */
final class PolicyReader {
  /** RFC 9110 token: what a method or header name may be made of. */
  static final Pattern HTTP_TOKEN = Pattern.compile("[!#$%&'*+\\-.^_`|~0-9A-Za-z]+");
  private static final Pattern STATUS_TEXT = Pattern.compile("[0-9]{3}");
  private static final String RETRY_ON_RULE = "must be connect, timeout or a status 100..599";

  private PolicyReader() {
  }

  /** Reads the policy keys of {@code node}; the caller owns the node and checks its unknown keys. */
  static RoutePolicy read(ConfigNode node, RoutePolicy base) {
    long timeoutMs = node.longValue("timeoutMs", Range.POSITIVE, base.timeoutMs());
    return new RoutePolicy(timeoutMs,
        rateLimit(node.object("rateLimit"), base.rateLimit()),
        circuit(node.object("circuit"), base.circuit()),
        retry(node.object("retry"), base.retry()),
        balance(node.value("balance"), base.balance()),
        outlier(node.object("outlier"), base.outlier()),
        health(node.value("health"), base.health()),
        node.intValue("maxInFlight", Range.NON_NEGATIVE, base.maxInFlight()));
  }

  private static Balance balance(ConfigValue value, Balance base) {
    return value.string().flatMap(text -> {
      Optional<Balance> balance = Balance.parse(text);
      if (balance.isEmpty()) {
        value.problem("must be one of " + Arrays.stream(Balance.values()).map(Balance::text)
            .collect(Collectors.joining(", ")));
      }
      return balance;
    }).orElse(base);
  }

  private static OutlierOptions outlier(ConfigNode node, OutlierOptions base) {
    OutlierOptions outlier = new OutlierOptions(
        node.intValue("consecutiveFailures", Range.POSITIVE, base.consecutiveFailures()),
        node.longValue("ejectMs", Range.POSITIVE, base.ejectMs()),
        node.intValue("maxEjectedPercent", Range.between(0, 100), base.maxEjectedPercent()));
    node.rejectUnknownKeys();
    return outlier;
  }

  /**
   * {@code health: {…}} turns active checks on, each key on top of the base's (or the defaults' when the base
   * has them off); {@code health: false} turns them off for a route whose {@code defaults} has them on.
   */
  private static HealthOptions health(ConfigValue value, HealthOptions base) {
    if (value.raw() instanceof Boolean on) {
      return on ? (base.enabled() ? base : HealthOptions.DEFAULT) : base.enabled(false);
    }
    if (!value.isSet()) {
      return base;
    }
    HealthOptions from = base.enabled() ? base : HealthOptions.DEFAULT;
    ConfigNode node = value.object();
    ConfigValue pathValue = node.value("path");
    String path = pathValue.string().map(String::trim).filter(p -> {
      boolean ok = p.startsWith("/") && p.indexOf('#') < 0 && p.chars().noneMatch(Character::isWhitespace);
      if (!ok) {
        pathValue.problem("must be a path starting with / (a query is allowed)");
      }
      return ok;
    }).orElse(from.path());
    HealthOptions health = new HealthOptions(true, path,
        node.longValue("intervalMs", Range.POSITIVE, from.intervalMs()),
        node.longValue("timeoutMs", Range.POSITIVE, from.timeoutMs()),
        node.intValue("unhealthyAfter", Range.POSITIVE, from.unhealthyAfter()),
        node.intValue("healthyAfter", Range.POSITIVE, from.healthyAfter()));
    node.rejectUnknownKeys();
    return health;
  }

  private static RateLimitPolicy rateLimit(ConfigNode node, RateLimitPolicy base) {
    RateLimitPolicy policy = new RateLimitPolicy(
        node.intValue("limit", Range.POSITIVE, base.limit()),
        node.longValue("windowMs", Range.POSITIVE, base.windowMs()));
    node.rejectUnknownKeys();
    return policy;
  }

  private static CircuitPolicy circuit(ConfigNode node, CircuitPolicy base) {
    CircuitPolicy policy = new CircuitPolicy(
        node.intValue("failureThreshold", Range.POSITIVE, base.failureThreshold()),
        node.longValue("resetTimeoutMs", Range.POSITIVE, base.resetTimeoutMs()),
        node.value("failureStatuses").list().map(PolicyReader::statuses).orElse(base.failureStatuses()),
        quorum(node.value("quorum"), base.quorum()));
    node.rejectUnknownKeys();
    return policy;
  }

  /** {@code majority} or a whole number of nodes >= 1. */
  private static Quorum quorum(ConfigValue value, Quorum base) {
    if (!value.isSet()) {
      return base;
    }
    if ("majority".equals(value.raw())) {
      return Quorum.MAJORITY;
    }
    if (value.raw() instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() >= 1
        && n.longValue() <= Integer.MAX_VALUE) {
      return new Quorum(n.intValue());
    }
    value.problem("must be \"majority\" or a whole number of nodes >= 1");
    return base;
  }

  private static RetryOptions retry(ConfigNode node, RetryOptions base) {
    int maxAttempts = node.intValue("maxAttempts", Range.atLeast(1), base.maxAttempts());
    Delays delays = delays(node, base);
    double multiplier = node.value("multiplier").number(1).orElse(base.multiplier());
    Jitter jitter = node.oneOf("jitter", Jitter.class, base.jitter());
    RetryOn retryOn = node.value("retryOn").list().map(PolicyReader::retryOn).orElse(base.retryOn());
    Set<String> methods = node.value("methods").list().map(PolicyReader::methods).orElse(base.methods());
    long bufferBytes = node.longValue("bufferBytes", Range.NON_NEGATIVE, base.bufferBytes());
    node.rejectUnknownKeys();
    return new RetryOptions(maxAttempts, delays.initialMs(), multiplier, delays.maxMs(), jitter, retryOn, methods,
        bufferBytes);
  }

  private record Delays(long initialMs, long maxMs) {
  }

  /**
   * initialDelayMs and maxDelayMs. They are checked as a pair, after the merge: a route that raises only
   * initialDelayMs above the default maxDelayMs is wrong too. An inconsistent pair falls back to the base's,
   * so one bad {@code defaults} is reported once, not again for every route that inherits it.
   */
  private static Delays delays(ConfigNode node, RetryOptions base) {
    ConfigValue initialValue = node.value("initialDelayMs");
    ConfigValue maxValue = node.value("maxDelayMs");
    Optional<Long> initial = initialValue.integer(Range.POSITIVE);
    Optional<Long> max = maxValue.integer(Range.POSITIVE);
    long initialMs = initial.orElse(base.initialDelayMs());
    long maxMs = max.orElse(base.maxDelayMs());
    if (maxMs >= initialMs) {
      return new Delays(initialMs, maxMs);
    }
    boolean bothReadable = (initial.isPresent() || !initialValue.isSet()) && (max.isPresent() || !maxValue.isSet());
    if (bothReadable) {
      node.problem("maxDelayMs", "must be >= initialDelayMs (" + maxMs + " < " + initialMs + ")");
    }
    return new Delays(base.initialDelayMs(), base.maxDelayMs());
  }

  private static Set<Integer> statuses(List<ConfigValue> items) {
    Set<Integer> statuses = new TreeSet<>();
    items.forEach(item -> item.intValue(Range.STATUS).ifPresent(statuses::add));
    return statuses;
  }

  private static RetryOn retryOn(List<ConfigValue> items) {
    boolean connect = false;
    boolean timeout = false;
    Set<Integer> statuses = new TreeSet<>();
    for (ConfigValue item : items) {
      String text = retryOnText(item);
      if (text.equals("connect")) {
        connect = true;
      } else if (text.equals("timeout")) {
        timeout = true;
      } else if (STATUS_TEXT.matcher(text).matches() && Range.STATUS.violation(Long.parseLong(text)).isEmpty()) {
        statuses.add(Integer.parseInt(text));
      } else {
        item.problem(RETRY_ON_RULE);
      }
    }
    return new RetryOn(connect, timeout, statuses);
  }

  /** A status may be written as 503 or "503" (YAML users quote them to sit beside the words). */
  private static String retryOnText(ConfigValue item) {
    Object raw = item.raw();
    if (raw instanceof Integer || raw instanceof Long) {
      return raw.toString();
    }
    return raw instanceof String s ? s.trim().toLowerCase(Locale.ROOT) : "";
  }

  private static Set<String> methods(List<ConfigValue> items) {
    Set<String> methods = new LinkedHashSet<>();
    for (ConfigValue item : items) {
      item.string().ifPresent(method -> {
        if (HTTP_TOKEN.matcher(method).matches()) {
          methods.add(method.toUpperCase(Locale.ROOT));
        } else {
          item.problem("must be an HTTP method such as GET");
        }
      });
    }
    return methods;
  }
}
