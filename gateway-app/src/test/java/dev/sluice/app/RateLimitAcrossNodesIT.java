package dev.sluice.app;

import dev.sluice.app.GatewayNodes.Node;
import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One client has one budget, however many nodes it talks to: two gateway nodes as separate JVMs
 * (the fat jar, as operators run it, each with two verticle instances), one Redis, one
 * upstream-mock. And when Redis dies mid-traffic, {@code onFailure: local} keeps both nodes
 * answering at once, and both go back to Redis when it returns.
 *
 * <p>Redis gets {@code timeoutMs: 8000}, so a loaded machine does not push requests onto the local
 * fallback and make the exactness claim measure the fallback instead of Redis.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RateLimitAcrossNodesIT {
  static final String ROUTE = "limited";
  static final int LIMIT = 50;
  static final long WINDOW_MS = 10_000;
  static final long REDIS_TIMEOUT_MS = 8_000;
  /** Far more than a loaded 2-core machine needs; the claim is "at once", not "within N ms". */
  static final long ANSWER_MARGIN_MS = 5_000;
  static final Duration ANSWER_BOUND = Duration.ofMillis(REDIS_TIMEOUT_MS + ANSWER_MARGIN_MS);
  static final String API_KEY = "X-Api-Key";

  @RegisterExtension
  static final GatewayNodes nodes = GatewayNodes.standalone().instances(2);
  static Node nodeA;
  static Node nodeB;
  static HttpClient http;

  /** What one request got back: the status, or -1 and why there was no answer. */
  record Answer(String node, String client, int status, long millis, String error, long startedNanos) {
  }

  @BeforeAll
  static void start() throws Exception {
    // Both JVMs start at once; then wait for each.
    nodeA = launch("a");
    nodeB = launch("b");
    nodeA = nodes.awaitListening(nodeA);
    nodeB = nodes.awaitListening(nodeB);
    // A pool big enough that every request of a burst has its own connection: really concurrent.
    http = nodes.vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000),
      new PoolOptions().setHttp1MaxSize(1024));
    warmUp();
  }

  /**
   * Bursts growing to the tests' shape, with a client of their own. A fresh JVM answers its first
   * requests slowly (class loading, interpreted code) and opening 400 connections at once to a cold
   * JVM on a loaded machine can take seconds; after this the pool holds a kept-alive connection for
   * every request of a burst, so the tests' 10 s window measures the limiter, not JVM start-up.
   */
  static void warmUp() throws Exception {
    String client = "warm-up-" + UUID.randomUUID();
    for (int size : new int[] {2, 20, 100, 400}) {
      List<CompletableFuture<Answer>> calls = new ArrayList<>();
      for (int i = 0; i < size; i++) {
        calls.add(call(i % 2 == 0 ? nodeA : nodeB, client));
      }
      List<Answer> answers = awaitAll(calls, 60);
      assertEquals(0, count(answers, a -> a.status() != 200 && a.status() != 429), "warm-up: " + summary(answers));
    }
  }

  @Test
  @Order(1)
  void twoHundredConcurrentRequestsSplitAcrossTwoNodesGetExactlyTheLimitAndEachApiKeyHasItsOwn() throws Exception {
    String alice = "alice-" + UUID.randomUUID();
    String bob = "bob-" + UUID.randomUUID();
    List<CompletableFuture<Answer>> calls = new ArrayList<>();
    long started = System.nanoTime();
    // All 400 in flight at once: each client's 200 alternate between the nodes, interleaved with the other's.
    for (int i = 0; i < 200; i++) {
      calls.add(call(i % 2 == 0 ? nodeA : nodeB, alice));
      calls.add(call(i % 2 == 0 ? nodeB : nodeA, bob));
    }
    List<Answer> answers = awaitAll(calls, 60);
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    System.out.println("burst of " + answers.size() + " in " + elapsedMs + " ms: " + summary(answers));
    assertTrue(elapsedMs < WINDOW_MS, "the burst took " + elapsedMs + " ms, longer than the " + WINDOW_MS
      + " ms window, so early entries may have left it: this machine is too slow for the claim");
    for (String client : List.of(alice, bob)) {
      List<Answer> mine = answers.stream().filter(a -> a.client().equals(client)).toList();
      assertEquals(100, count(mine, a -> a.node().equals("a")), "half of " + client + "'s requests went to node a");
      assertEquals(100, count(mine, a -> a.node().equals("b")), "half of " + client + "'s requests went to node b");
      assertEquals(LIMIT, count(mine, a -> a.status() == 200), client + ": " + summary(mine));
      assertEquals(200 - LIMIT, count(mine, a -> a.status() == 429), client + ": " + summary(mine));
      // The window lives in Redis, not in a node's local fallback: exactly the allowed requests are in it
      // (counted as the limiter counts them: a member may stand for several).
      assertEquals(LIMIT, windowSlots(client), "slots in " + windowKey(client));
    }
  }

  @Test
  @Order(2)
  void withRedisKilledMidTrafficBothNodesKeepAnsweringAndGoBackToRedisWhenItReturns() throws Exception {
    String carol = "carol-" + UUID.randomUUID();
    Traffic traffic = new Traffic(carol, 8);
    long killedAt;
    long atKill;
    try {
      traffic.start();
      traffic.awaitAnswers(40, System.nanoTime(), 0, 30_000);
      assertEquals(1, redisLong(Request.cmd(Command.EXISTS).arg(windowKey(carol))), "before the kill, limits live in Redis");

      nodes.redis.stop();
      killedAt = System.nanoTime();
      atKill = traffic.answered();
      // At least a second, to span several of the limiter's Redis probes (every 250 ms) on both nodes.
      traffic.awaitAnswers(atKill + 200, killedAt, TimeUnit.SECONDS.toNanos(1), 60_000);
    } finally {
      traffic.stop(30_000);
    }

    List<Answer> answers = traffic.answers();
    System.out.println(answers.size() + " answers, " + (answers.size() - atKill) + " after the kill: " + summary(answers));
    List<Answer> failed = answers.stream().filter(a -> a.status() != 200 && a.status() != 429).toList();
    assertTrue(failed.isEmpty(), failed.size() + " of " + answers.size() + " requests were not answered 200 or 429, e.g. "
      + failed.subList(0, Math.min(5, failed.size())));
    long slowest = answers.stream().mapToLong(Answer::millis).max().orElseThrow();
    System.out.println("slowest answer: " + slowest + " ms");
    assertTrue(slowest <= ANSWER_BOUND.toMillis(), "slowest answer took " + slowest + " ms");
    List<Answer> afterKill = answers.stream().filter(a -> a.startedNanos() > killedAt).toList();
    assertTrue(count(afterKill, a -> a.node().equals("a")) > 0 && count(afterKill, a -> a.node().equals("b")) > 0,
      "both nodes answered while Redis was down: " + summary(afterKill));

    nodes.redis.restart();
    long restarted = System.nanoTime();
    // A new client per node: its window can only appear in the fresh Redis once that node limits with Redis again.
    awaitWindowInRedis(nodeA, "dave-" + UUID.randomUUID(), 30_000);
    awaitWindowInRedis(nodeB, "erin-" + UUID.randomUUID(), 30_000);
    System.out.println("both nodes limit with Redis again " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted) + " ms after the restart");
  }

  /** Keeps {@code inFlight} requests from one client going, alternating between the nodes, until stopped. */
  static final class Traffic {
    private final String client;
    private final int inFlight;
    private final Semaphore permits;
    private final List<Answer> answers = new ArrayList<>(); // guarded by itself; notified on every answer
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread sender;

    Traffic(String client, int inFlight) {
      this.client = client;
      this.inFlight = inFlight;
      this.permits = new Semaphore(inFlight);
      this.sender = new Thread(this::send, "traffic-" + client);
      this.sender.setDaemon(true);
    }

    void start() {
      sender.start();
    }

    private void send() {
      long n = 0;
      try {
        while (running.get()) {
          if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            continue;
          }
          call(n++ % 2 == 0 ? nodeA : nodeB, client).whenComplete((answer, err) -> {
            synchronized (answers) {
              answers.add(answer);
              answers.notifyAll();
            }
            permits.release();
          });
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    long answered() {
      synchronized (answers) {
        return answers.size();
      }
    }

    List<Answer> answers() {
      synchronized (answers) {
        return List.copyOf(answers);
      }
    }

    /** Waits until {@code count} answers are in and at least {@code minNanos} have passed since {@code sinceNanos}. */
    void awaitAnswers(long count, long sinceNanos, long minNanos, long timeoutMs) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      synchronized (answers) {
        while (answers.size() < count || System.nanoTime() - sinceNanos < minNanos) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            fail("gave up after " + timeoutMs + " ms with " + answers.size() + " answers, waiting for " + count);
          }
          TimeUnit.NANOSECONDS.timedWait(answers, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
        }
      }
    }

    /** Stops sending and waits (bounded) until every request in flight has its answer. */
    void stop(long timeoutMs) throws InterruptedException {
      running.set(false);
      sender.join(timeoutMs);
      if (!permits.tryAcquire(inFlight, timeoutMs, TimeUnit.MILLISECONDS)) {
        fail("requests still in flight " + timeoutMs + " ms after the traffic stopped");
      }
    }
  }

  /** One GET through a node; never fails: no answer within the bound is an Answer with status -1. */
  static CompletableFuture<Answer> call(Node node, String client) {
    RequestOptions request = new RequestOptions()
      .setHost("127.0.0.1")
      .setPort(node.port())
      .setURI("/" + ROUTE + "/x")
      .putHeader(API_KEY, client);
    long started = System.nanoTime();
    return http.request(request)
      .compose(req -> req.send().compose(response -> response.body().map(body -> response.statusCode())))
      .timeout(ANSWER_BOUND.toMillis(), TimeUnit.MILLISECONDS)
      .transform(outcome -> {
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        return Future.succeededFuture(outcome.succeeded()
          ? new Answer(node.name(), client, outcome.result(), millis, null, started)
          : new Answer(node.name(), client, -1, millis, outcome.cause().toString(), started));
      })
      .toCompletionStage().toCompletableFuture();
  }

  static List<Answer> awaitAll(List<CompletableFuture<Answer>> calls, long timeoutSeconds) throws Exception {
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(timeoutSeconds, TimeUnit.SECONDS);
    return calls.stream().map(CompletableFuture::join).toList();
  }

  /** Sends requests as {@code client} through {@code node} until that client's window shows up in Redis. */
  static void awaitWindowInRedis(Node node, String client, long timeoutMs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    List<Answer> seen = new ArrayList<>();
    while (System.nanoTime() < deadline) {
      Answer answer = call(node, client).get(ANSWER_BOUND.toMillis() + 1000, TimeUnit.MILLISECONDS);
      seen.add(answer);
      assertTrue(answer.status() == 200 || answer.status() == 429, "node " + node.name() + " answered " + answer);
      if (redisLong(Request.cmd(Command.EXISTS).arg(windowKey(client))) == 1) {
        return;
      }
      // Pause between polls without sleeping: wait on the node's process, which must not exit.
      assertFalse(node.process().waitFor(100, TimeUnit.MILLISECONDS), "node " + node.name() + " exited");
    }
    fail("node " + node.name() + " did not limit with Redis again within " + timeoutMs + " ms after it came back; "
      + seen.size() + " requests: " + summary(seen));
  }

  static String windowKey(String apiKey) {
    return RedisWindows.key(ROUTE, apiKey);
  }

  static long windowSlots(String apiKey) throws Exception {
    return nodes.redisWindows().slots(ROUTE, apiKey, new RateLimitPolicy(LIMIT, WINDOW_MS));
  }

  static long redisLong(Request command) throws Exception {
    return nodes.redisWindows().asLong(command);
  }

  static Node launch(String name) throws IOException {
    return nodes.launch(name,
      "redis: { url: \"" + nodes.redisUrl() + "\", timeoutMs: " + REDIS_TIMEOUT_MS + ", onFailure: local }",
      "clients: { identity: \"header:" + API_KEY + "\" }",
      "routes:",
      "  - name: " + ROUTE,
      "    prefix: /" + ROUTE,
      "    upstream: " + nodes.mockUrl() + "/anything",
      "    rateLimit: { limit: " + LIMIT + ", windowMs: " + WINDOW_MS + " }");
  }

  static long count(List<Answer> answers, Predicate<Answer> which) {
    return answers.stream().filter(which).count();
  }

  /** Counts by node and outcome, e.g. {@code {a:200=26, a:429=74, b:200=24, b:429=76}}. */
  static String summary(List<Answer> answers) {
    Map<String, Long> byOutcome = new TreeMap<>();
    for (Answer a : answers) {
      byOutcome.merge(a.node() + ":" + (a.status() == -1 ? a.error() : a.status()), 1L, Long::sum);
    }
    return byOutcome.toString();
  }
}
