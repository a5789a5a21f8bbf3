package dev.sluice.app;

import dev.sluice.app.GatewayNodes.Node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * API plans at scale, seen from outside: two gateway JVMs with two verticle instances each; 200
 * steady clients at 1-5 requests per second, each on a keep-alive connection of its own, on a plan
 * far above what they send; then, while they go on, 5 clients hammering a plan of their own.
 *
 * <p>Claims: no client is ever admitted over its limit in any window-long span (client-side
 * count); the steady clients are never refused and cost Redis at most 0.1 script calls per
 * request (long leases: one call per client per window, not one per request); the hammering
 * clients get at least 90 % of their limit per window on average over their run, and in each
 * saturated window (from the third after their first 429: the first two carry the first burst's
 * pattern, the second at least 75 %).
 *
 * <p>The steady plan is 300 per 10 s, not per minute, to keep the test under a minute: a window
 * of 10 s is still 100 times today's short lease (100 ms) and 10-50 requests of each steady client,
 * so each lease is long and holds many requests, as a minute's would. The hammering clients' plan
 * has a 2 s window so that several saturated windows fit in the run. Bounded in count and time:
 * every client stops at its phase's end, every request times out after 20 s.
 */
class SteadyClientsOnPlansIT {
  static final String PLAN = "plan";
  static final int PLAN_LIMIT = 300;
  static final long PLAN_WINDOW_MS = 10_000;
  static final String HOT = "hot";
  static final int HOT_LIMIT = 300;
  static final long HOT_WINDOW_MS = 2_000;
  static final String API_KEY = "X-Api-Key";
  static final int STEADY = 200;
  static final int HAMMERING = 5;
  static final int HAMMER_IN_FLIGHT = 8;
  static final long HAMMER_EVERY_MS = 2;
  /** Steady clients alone, for the script calls they cost. */
  static final long STEADY_ALONE_MS = 22_000;
  /** Then with the hammering clients. */
  static final long TOGETHER_MS = 12_000;

  @RegisterExtension
  static final GatewayNodes nodes = GatewayNodes.standalone().instances(2);
  static Node nodeA;
  static Node nodeB;
  static Vertx clients;
  static Redis redis;

  /** One request, timed from the client (nanoTime): sent and answered. */
  record Answer(int status, long sent, long answered) {
  }

  @BeforeAll
  static void start() throws Exception {
    nodeA = launch("a");
    nodeB = launch("b");
    nodeA = nodes.awaitListening(nodeA);
    nodeB = nodes.awaitListening(nodeB);
    clients = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    redis = Redis.createClient(nodes.vertx, nodes.redisUrl());
    // Warm both JVMs (class loading, JIT) on a client of its own, so the phases measure the limiter.
    HttpClient warm = clients.createHttpClient(new HttpClientOptions(), new PoolOptions().setHttp1MaxSize(HAMMER_IN_FLIGHT));
    hammer(warm, "warm-up", HOT, System.nanoTime() + TimeUnit.SECONDS.toNanos(3), new ConcurrentLinkedQueue<>())
        .await(60, TimeUnit.SECONDS);
    warm.close().await(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    // the nodes are GatewayNodes' to stop, after this
    if (clients != null) {
      clients.close().await(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void steadyClientsCostATenthOfACallPerRequestAndHammeringOnesGetTheirLimitNeverOverIt() throws Exception {
    Random random = new Random(23);
    List<SteadyClient> steady = new ArrayList<>();
    for (int i = 0; i < STEADY; i++) {
      steady.add(new SteadyClient("steady-" + i, 1 + random.nextDouble() * 4, i % 2 == 0 ? nodeA : nodeB, random.nextLong()));
    }
    long callsBefore = scriptCalls();
    long start = System.nanoTime();
    long aloneUntil = start + TimeUnit.MILLISECONDS.toNanos(STEADY_ALONE_MS);
    long together = aloneUntil + TimeUnit.MILLISECONDS.toNanos(TOGETHER_MS);
    steady.forEach(client -> client.start(together));

    awaitUntil(aloneUntil);
    long callsAlone = scriptCalls() - callsBefore;
    int requestsAlone = steady.stream().mapToInt(SteadyClient::sent).sum();

    HttpClient hammerHttp = clients.createHttpClient(new HttpClientOptions(),
        new PoolOptions().setHttp1MaxSize(HAMMERING * HAMMER_IN_FLIGHT));
    List<ConcurrentLinkedQueue<Answer>> hammered = new ArrayList<>();
    List<Future<Void>> hammering = new ArrayList<>();
    for (int i = 0; i < HAMMERING; i++) {
      ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
      hammered.add(answers);
      hammering.add(hammer(hammerHttp, "hammer-" + i, HOT, together, answers));
    }
    for (Future<Void> each : hammering) {
      each.await(60, TimeUnit.SECONDS);
    }
    for (SteadyClient client : steady) {
      assertTrue(client.done.await(60, TimeUnit.SECONDS), client.apiKey + " did not finish");
    }
    long callsInAll = scriptCalls() - callsBefore;

    // Steady clients: never over (trivially: they send a sixth of it at most), never refused, and
    // a tenth of a script call per request at most while alone with Redis.
    int steadyRequests = 0;
    int refused = 0;
    int mostSteady = 0;
    for (SteadyClient client : steady) {
      List<Answer> answers = client.answers();
      steadyRequests += answers.size();
      assertEquals(0, answers.stream().filter(a -> a.status() != 200 && a.status() != 429).count(),
          client.apiKey + ": every request answered 200 or 429");
      refused += (int) answers.stream().filter(a -> a.status() == 429).count();
      mostSteady = Math.max(mostSteady, mostInASpan(answers, PLAN_WINDOW_MS));
    }
    double perRequestAlone = (double) callsAlone / requestsAlone;
    System.out.printf("steady: %d clients, %d requests (%d alone), %d refused, most in a %d ms span %d (limit %d), "
            + "%d script calls alone (%.4f per request), %d calls in all%n",
        STEADY, steadyRequests, requestsAlone, refused, PLAN_WINDOW_MS, mostSteady, PLAN_LIMIT, callsAlone, perRequestAlone, callsInAll);
    assertTrue(mostSteady <= PLAN_LIMIT, "never over: " + mostSteady);
    assertEquals(0, refused, "a steady client far below its plan is never refused");
    // Each steady client: one call for its first request, one for its first lease (its second
    // request), then about one per window; 0.03-0.05 per request expected.
    assertTrue(perRequestAlone <= 0.1, callsAlone + " script calls for " + requestsAlone + " steady requests");

    // Hammering clients: never over; at least 90 % of the limit in each saturated window.
    long window = TimeUnit.MILLISECONDS.toNanos(HOT_WINDOW_MS);
    List<List<Long>> windows = new ArrayList<>();
    List<Integer> most = new ArrayList<>();
    for (int i = 0; i < HAMMERING; i++) {
      List<Answer> answers = new ArrayList<>(hammered.get(i));
      assertEquals(0, answers.stream().filter(a -> a.status() != 200 && a.status() != 429).count(), "hammer-" + i + ": 200 or 429");
      most.add(mostInASpan(answers, HOT_WINDOW_MS));
      windows.add(perWindowFromFirst429(answers, window));
      System.out.printf("hammer-%d: %d requests, %d admitted, most in a %d ms span %d (limit %d), per window %s%n", i,
          answers.size(), answers.stream().filter(a -> a.status() == 200).count(), HOT_WINDOW_MS, most.get(i), HOT_LIMIT, windows.get(i));
    }
    for (int i = 0; i < HAMMERING; i++) {
      assertTrue(most.get(i) <= HOT_LIMIT, "hammer-" + i + ": never over: " + most.get(i));
    }
    for (int i = 0; i < HAMMERING; i++) {
      List<Answer> answers = new ArrayList<>(hammered.get(i));
      long from = answers.stream().mapToLong(Answer::sent).min().orElseThrow();
      long to = answers.stream().mapToLong(Answer::answered).max().orElseThrow();
      long admitted = answers.stream().filter(a -> a.status() == 200).count();
      double perWindowOnAverage = admitted / ((double) (to - from) / window);
      List<Long> perWindow = windows.get(i);
      // The rest is about a client asking for more than its limit: a machine too busy to send that
      // much (other builds) cannot show it, and says so.
      assumeTrue(perWindow.size() >= 4 && answers.size() >= 2 * admitted,
          "hammer-" + i + " sent " + answers.size() + " requests for " + admitted + " admitted: too busy a machine");
      // Its limit per window, on average over its run (1 800 of 6 x 300 measured: all of it).
      assertTrue(perWindowOnAverage >= HOT_LIMIT * 0.9, "hammer-" + i + ": " + admitted + " admitted, "
          + perWindowOnAverage + " per window on average");
      // Back-to-back windows from the first 429 cut the client's admissions where its first burst
      // left them: the first window holds only the slots of that burst scored before the 429 (a
      // slot is scored up to a short lease after its request), and each slot comes back a window
      // after its score, so the second inherits some of that pattern (147-255, then 241-295 of 300
      // measured, lower on a busier machine); from the third on the client is saturated and gets
      // nearly all of it (274-301).
      assertTrue(perWindow.get(1) >= HOT_LIMIT * 3 / 4, "hammer-" + i + ": the second window: " + perWindow);
      for (long n : perWindow.subList(2, perWindow.size())) {
        assertTrue(n >= HOT_LIMIT * 9 / 10, "hammer-" + i + ": a saturated window admitted " + n + " of " + HOT_LIMIT + ": " + perWindow);
      }
    }
  }

  /** Requests surely admitted inside one window-long span: sent and answered in it. */
  static int mostInASpan(List<Answer> answers, long windowMs) {
    long window = TimeUnit.MILLISECONDS.toNanos(windowMs);
    List<Answer> admitted = answers.stream().filter(a -> a.status() == 200).sorted((a, b) -> Long.compare(a.sent(), b.sent())).toList();
    int most = 0;
    for (int i = 0; i < admitted.size(); i++) {
      long from = admitted.get(i).sent();
      int inSpan = 0;
      for (int j = i; j < admitted.size() && admitted.get(j).sent() < from + window; j++) {
        if (admitted.get(j).answered() < from + window) {
          inSpan++;
        }
      }
      most = Math.max(most, inSpan);
    }
    return most;
  }

  /** Admitted per window, back to back from the first 429, by answer time; the last, partial window left out. */
  static List<Long> perWindowFromFirst429(List<Answer> answers, long window) {
    long first = answers.stream().filter(a -> a.status() == 429).mapToLong(Answer::answered).min().orElse(Long.MAX_VALUE);
    long last = answers.stream().mapToLong(Answer::answered).max().orElse(0);
    List<Long> perWindow = new ArrayList<>();
    for (long from = first; first != Long.MAX_VALUE && from + window <= last; from += window) {
      long start = from;
      perWindow.add(answers.stream().filter(a -> a.status() == 200 && a.answered() >= start && a.answered() < start + window).count());
    }
    return perWindow;
  }

  /** One steady client: one keep-alive connection to one node, a request every 1/rate s (+-20 %) until {@code until}. */
  static final class SteadyClient {
    final String apiKey;
    final double perSecond;
    final Node node;
    final Random random;
    final HttpClient http;
    final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger sent = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final CountDownLatch done = new CountDownLatch(1);
    private volatile boolean stopped;

    SteadyClient(String apiKey, double perSecond, Node node, long seed) {
      this.apiKey = apiKey;
      this.perSecond = perSecond;
      this.node = node;
      this.random = new Random(seed);
      this.http = clients.createHttpClient(new HttpClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1));
    }

    void start(long until) {
      clients.setTimer(1 + random.nextInt((int) (1_000 / perSecond)), id -> next(until));
    }

    int sent() {
      return sent.get();
    }

    List<Answer> answers() {
      synchronized (answers) {
        return new ArrayList<>(answers);
      }
    }

    private void next(long until) {
      if (System.nanoTime() >= until) {
        stopped = true;
        finishIfIdle();
        return;
      }
      sent.incrementAndGet();
      inFlight.incrementAndGet();
      call(http, node, PLAN, apiKey).onComplete(answer -> {
        answers.add(answer.result());
        inFlight.decrementAndGet();
        finishIfIdle();
      });
      long gapMs = Math.max(1, (long) (1_000 / perSecond * (0.8 + 0.4 * random.nextDouble())));
      clients.setTimer(gapMs, id -> next(until));
    }

    private void finishIfIdle() {
      if (stopped && inFlight.get() == 0 && done.getCount() > 0) {
        http.close();
        done.countDown();
      }
    }
  }

  /**
   * One hammering client: a request every {@link #HAMMER_EVERY_MS} ms (500 per second, more than
   * three times its limit's 150), in turn to each node, at most {@link #HAMMER_IN_FLIGHT} in flight,
   * until {@code until}. Paced, so five of them leave the machine room for the steady clients.
   */
  static Future<Void> hammer(HttpClient http, String apiKey, String route, long until, ConcurrentLinkedQueue<Answer> answers) {
    Promise<Void> finished = Promise.promise();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger turn = new AtomicInteger();
    clients.setPeriodic(HAMMER_EVERY_MS, id -> {
      if (System.nanoTime() >= until) {
        clients.cancelTimer(id);
        finishWhenIdle(inFlight, finished);
        return;
      }
      if (inFlight.get() >= HAMMER_IN_FLIGHT) {
        return;
      }
      inFlight.incrementAndGet();
      Node node = turn.getAndIncrement() % 2 == 0 ? nodeA : nodeB;
      call(http, node, route, apiKey).onComplete(answer -> {
        answers.add(answer.result());
        inFlight.decrementAndGet();
      });
    });
    return finished.future();
  }

  private static void finishWhenIdle(AtomicInteger inFlight, Promise<Void> finished) {
    if (inFlight.get() == 0) {
      finished.complete();
    } else {
      clients.setTimer(10, id -> finishWhenIdle(inFlight, finished));
    }
  }

  static Future<Answer> call(HttpClient http, Node node, String route, String apiKey) {
    long sent = System.nanoTime();
    RequestOptions request = new RequestOptions().setHost("127.0.0.1").setPort(node.port())
        .setURI("/" + route + "/x").putHeader(API_KEY, apiKey);
    return http.request(request)
        .compose(req -> req.send().compose(response -> response.body().map(body -> response.statusCode())))
        .timeout(20, TimeUnit.SECONDS)
        .transform(outcome -> Future.succeededFuture(new Answer(outcome.succeeded() ? outcome.result() : -1, sent, System.nanoTime())));
  }

  /** Script calls Redis ran so far: EVALSHA, EVAL and FCALL. */
  static long scriptCalls() throws Exception {
    String info = redis.send(Request.cmd(Command.INFO).arg("commandstats")).await(5, TimeUnit.SECONDS).toString();
    return Arrays.stream(info.split("\\r?\\n"))
        .filter(line -> line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:") || line.startsWith("cmdstat_fcall:"))
        .mapToLong(line -> {
          int at = line.indexOf("calls=") + "calls=".length();
          return Long.parseLong(line.substring(at, line.indexOf(',', at)));
        }).sum();
  }

  /** Sleeps the test thread (never an event loop) until {@code at} (nanoTime). */
  static void awaitUntil(long at) throws InterruptedException {
    long left;
    while ((left = at - System.nanoTime()) > 0) {
      TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)));
    }
  }

  static Node launch(String name) throws Exception {
    return nodes.launch(name, nodes.options().withoutAdmin(),
        // A loaded machine must not push requests onto the local fallback: the claims are about Redis.
        "redis: { url: \"" + nodes.redisUrl() + "\", timeoutMs: 8000, onFailure: local }",
        "clients: { identity: \"header:" + API_KEY + "\" }",
        "routes:",
        "  - name: " + PLAN,
        "    prefix: /" + PLAN,
        "    upstream: " + nodes.mockUrl() + "/anything",
        "    rateLimit: { limit: " + PLAN_LIMIT + ", windowMs: " + PLAN_WINDOW_MS + " }",
        "  - name: " + HOT,
        "    prefix: /" + HOT,
        "    upstream: " + nodes.mockUrl() + "/anything",
        "    rateLimit: { limit: " + HOT_LIMIT + ", windowMs: " + HOT_WINDOW_MS + " }");
  }
}
