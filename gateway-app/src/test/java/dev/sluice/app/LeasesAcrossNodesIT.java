package dev.sluice.app;

import dev.sluice.app.GatewayNodes.Node;
import dev.sluice.gateway.client.ApiKeyDigest;
import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.limit.LimitWindow;
import dev.sluice.gateway.limit.RateLimitKeys;
import dev.sluice.gateway.limit.WindowReader;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Leases seen from outside: two gateway JVMs with two verticle instances each hammer one client;
 * the client is never admitted over its limit in any window-long span, is admitted nearly its
 * whole limit per window, and costs Redis far fewer script calls than requests. And the API key
 * it sent is nowhere to be read: not in Redis, the nodes' logs or any admin answer.
 *
 * <p>Load is bounded in count and in time; the claims are counts, never timings.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeasesAcrossNodesIT {
  static final String HOT = "hot";
  static final int HOT_LIMIT = 300;
  static final long HOT_WINDOW_MS = 2_000;
  static final String BIG = "big";
  static final int BIG_LIMIT = 100_000;
  static final long BIG_WINDOW_MS = 60_000;
  static final String API_KEY = "X-Api-Key";
  static final String TOKEN = "it-admin-token";
  static final int IN_FLIGHT = 32;

  @RegisterExtension
  static final GatewayNodes nodes = GatewayNodes.standalone().instances(2);
  static Node nodeA;
  static Node nodeB;
  static HttpClient http;
  static Redis redis;

  /** One admitted or rejected request, timed from the client: sent and answered (nanoTime). */
  record Answer(int status, long sent, long answered) {
  }

  @BeforeAll
  static void start() throws Exception {
    // Both JVMs start side by side; then wait for each. Only A has an admin API.
    nodeA = launch("a", nodes.options().withAdmin(TOKEN));
    nodeB = launch("b", nodes.options());
    nodeA = nodes.awaitListening(nodeA);
    nodeB = nodes.awaitListening(nodeB);
    http = nodes.vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(10_000),
      new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
    redis = Redis.createClient(nodes.vertx, nodes.redisUrl());
    // Warm both JVMs (class loading, JIT) with a client of its own, so the windows below measure the limiter.
    hammer("warm-up-" + UUID.randomUUID(), HOT, 2_000, 3_000);
  }

  @Test
  @Order(1)
  void aHotClientOnTwoNodesIsNeverOverItsLimitGetsNearlyAllOfItAndCostsFarFewerScriptCallsThanRequests() throws Exception {
    String key = "sk_live_" + UUID.randomUUID();
    long callsBefore = scriptCalls();
    List<Answer> answers = hammer(key, HOT, 30_000, 5 * HOT_WINDOW_MS);
    long calls = scriptCalls() - callsBefore;

    List<Answer> admitted = answers.stream().filter(a -> a.status() == 200).toList();
    long others = answers.stream().filter(a -> a.status() != 200 && a.status() != 429).count();
    assertEquals(0, others, "every request answered 200 or 429");
    long windowNanos = TimeUnit.MILLISECONDS.toNanos(HOT_WINDOW_MS);

    // Never over: requests surely admitted inside one window-long span (sent and answered in it).
    int most = 0;
    for (Answer from : admitted) {
      int inSpan = 0;
      for (Answer a : admitted) {
        if (a.sent() >= from.sent() && a.answered() < from.sent() + windowNanos) {
          inSpan++;
        }
      }
      most = Math.max(most, inSpan);
    }
    // Nearly all of it under saturation: windows back to back from the first 429 (from then on the
    // client asks for more than its limit), judged by when answers arrived; the last, partial
    // window is left out.
    long first = answers.stream().filter(a -> a.status() == 429).mapToLong(Answer::answered).min().orElse(Long.MAX_VALUE);
    long last = answers.stream().mapToLong(Answer::answered).max().orElseThrow();
    List<Long> perWindow = new ArrayList<>();
    for (long from = first; first != Long.MAX_VALUE && from + windowNanos <= last; from += windowNanos) {
      long to = from + windowNanos;
      long start = from;
      perWindow.add(admitted.stream().filter(a -> a.answered() >= start && a.answered() < to).count());
    }
    double callsPerRequest = (double) calls / answers.size();
    System.out.printf("hot client: %d requests, %d admitted, most in a %d ms span %d (limit %d), per window %s, "
        + "%d script calls (%.3f per request)%n", answers.size(), admitted.size(), HOT_WINDOW_MS, most, HOT_LIMIT,
      perWindow, calls, callsPerRequest);

    // Never over, whatever the machine's speed.
    assertTrue(most <= HOT_LIMIT, most + " admitted within one window");
    LimitWindow window = new WindowReader(redis::send).read(HOT, ApiKeyDigest.identity(key),
      new RateLimitPolicy(HOT_LIMIT, HOT_WINDOW_MS)).await(5, TimeUnit.SECONDS);
    assertTrue(window.count() <= HOT_LIMIT, window.toString());

    // The rest is about a client asking for more than its limit for at least two windows: a
    // machine too busy to send that much (other builds) cannot show it, and says so.
    assumeTrue(perWindow.size() >= 2, "the client never asked for more than its limit for two windows ("
      + answers.size() + " requests in " + TimeUnit.NANOSECONDS.toMillis(last - answers.get(0).sent()) + " ms): too busy a machine");
    // Most of the limit per window, from the second saturated window on. The first is where the
    // client turns saturated, and it may lose what leases granted before then held: while the
    // client's rate still looked far below its limit (a busy machine sends slower, so for longer)
    // its instances got long leases, whose used slots are scored at the lease's end and so come
    // back up to a lease later (the under-service the invariant allows: docs/architecture.md,
    // "Never over"). 240-260 of 300 measured on a quiet machine, 198 in one CI run; half is the
    // floor that still says the window was not lost. The 90 % is asked of the windows after it.
    assertTrue(perWindow.get(0) >= HOT_LIMIT / 2, "the first window admitted " + perWindow.get(0) + " of " + HOT_LIMIT);
    List<Long> saturated = perWindow.subList(1, perWindow.size());
    double mean = saturated.stream().mapToLong(Long::longValue).average().orElseThrow();
    assertTrue(mean >= HOT_LIMIT * 0.90, "saturated windows admitted " + perWindow + " of " + HOT_LIMIT + " on average " + mean);
    for (long n : saturated) {
      assertTrue(n >= HOT_LIMIT * 85 / 100, "a window admitted " + n + " of " + HOT_LIMIT + ": " + perWindow);
    }
    // Well under one call per request: 0.08-0.10 measured; a loaded machine sends fewer requests
    // per window for the same grants, so the bound leaves room for that.
    assertTrue(callsPerRequest <= 0.25, calls + " script calls for " + answers.size() + " requests");
  }

  @Test
  @Order(2)
  void aClientWithABigLimitAtFullSpeedHoldsOneMemberPerGrantNotPerRequest() throws Exception {
    String key = "sk_live_" + UUID.randomUUID();
    // Through one node (two instances): its instances see the client's full rate, as at full speed.
    List<Answer> answers = hammer(key, BIG, 20_000, 3_000, nodeA);
    String windowKey = RateLimitKeys.key(BIG, ApiKeyDigest.identity(key));
    long members = redis.send(Request.cmd(Command.ZCARD).arg(windowKey)).await(5, TimeUnit.SECONDS).toLong();
    long admitted = answers.stream().filter(a -> a.status() == 200).count();
    System.out.printf("big limit: %d requests, %d admitted, %d members%n", answers.size(), admitted, members);
    assertEquals(answers.size(), admitted, "far under the limit");
    assertTrue(members * 10 <= admitted, members + " members for " + admitted + " requests");
  }

  @Test
  @Order(3)
  void noApiKeyIsReadableInRedisTheLogsOrAnyAdminAnswer() throws Exception {
    String secret = "sk_live_" + UUID.randomUUID();
    hammer(secret, HOT, 200, 2_000);
    hammer(secret, BIG, 200, 2_000);

    List<String> found = new ArrayList<>();
    // Redis: every key, and every member of every sorted set.
    Response keys = redis.send(Request.cmd(Command.KEYS).arg("*")).await(5, TimeUnit.SECONDS);
    for (Response k : keys) {
      if (k.toString().contains(secret)) {
        found.add("Redis key " + k);
      }
      Response type = redis.send(Request.cmd(Command.TYPE).arg(k.toString())).await(5, TimeUnit.SECONDS);
      if ("zset".equals(type.toString())) {
        Response members = redis.send(Request.cmd(Command.ZRANGE).arg(k.toString()).arg(0).arg(-1)).await(5, TimeUnit.SECONDS);
        for (Response m : members) {
          if (m.toString().contains(secret)) {
            found.add("member of " + k);
          }
        }
      }
    }
    // Logs of both nodes (the access log is on: each request has a line).
    for (Node node : List.of(nodeA, nodeB)) {
      String log = Files.readString(node.log(), StandardCharsets.UTF_8);
      assertTrue(log.contains(ApiKeyDigest.identity(secret)), "the access log names the client by its digest");
      if (log.contains(secret)) {
        found.add("log of node " + node.name());
      }
    }
    // Every admin read, the lookup by key included.
    for (String path : List.of("/__limits", "/__limits?apiKey=" + secret, "/__limits?client=" + ApiKeyDigest.identity(secret),
      "/__routes", "/__circuit", "/__health", "/__metrics")) {
      String body = admin(path);
      if (body.contains(secret)) {
        found.add("admin " + path);
      }
      if (path.contains("apiKey=")) {
        assertTrue(body.contains(ApiKeyDigest.identity(secret)), "?apiKey= finds the digested window: " + body);
      }
    }
    assertTrue(found.isEmpty(), "the API key can be read in: " + found);
  }

  /** Keeps {@link #IN_FLIGHT} requests of one client going, in turn to each node, until {@code max} or {@code forMs}. */
  static List<Answer> hammer(String apiKey, String route, int max, long forMs) throws Exception {
    return hammer(apiKey, route, max, forMs, nodeA, nodeB);
  }

  static List<Answer> hammer(String apiKey, String route, int max, long forMs, Node... nodes) throws Exception {
    Semaphore permits = new Semaphore(IN_FLIGHT);
    List<CompletableFuture<Answer>> calls = new ArrayList<>();
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(forMs);
    for (int i = 0; i < max && System.nanoTime() < until; i++) {
      if (!permits.tryAcquire(30, TimeUnit.SECONDS)) {
        fail("no answer for 30 s with " + IN_FLIGHT + " in flight");
      }
      Node node = nodes[i % nodes.length];
      calls.add(call(node, route, apiKey).whenComplete((a, e) -> permits.release()));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    return calls.stream().map(CompletableFuture::join).toList();
  }

  static CompletableFuture<Answer> call(Node node, String route, String apiKey) {
    long sent = System.nanoTime();
    RequestOptions request = new RequestOptions().setHost("127.0.0.1").setPort(node.port())
      .setURI("/" + route + "/x").putHeader(API_KEY, apiKey);
    return http.request(request)
      .compose(req -> req.send().compose(response -> response.body().map(body -> response.statusCode())))
      .timeout(20, TimeUnit.SECONDS)
      .transform(outcome -> Future.succeededFuture(new Answer(outcome.succeeded() ? outcome.result() : -1, sent, System.nanoTime())))
      .toCompletionStage().toCompletableFuture();
  }

  static String admin(String path) throws Exception {
    return http.request(new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(nodeA.adminPort()).setURI(path))
      .compose(req -> req.send().compose(response -> response.body()))
      .await(10, TimeUnit.SECONDS).toString();
  }

  static long scriptCalls() throws Exception {
    String info = redis.send(Request.cmd(Command.INFO).arg("commandstats")).await(5, TimeUnit.SECONDS).toString();
    return Arrays.stream(info.split("\\r?\\n"))
      .filter(line -> line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:"))
      .mapToLong(line -> {
        int at = line.indexOf("calls=") + "calls=".length();
        return Long.parseLong(line.substring(at, line.indexOf(',', at)));
      }).sum();
  }

  static Node launch(String name, GatewayNodes.NodeOptions options) throws Exception {
    return nodes.launch(name, options,
      // A loaded machine must not push requests onto the local fallback: the claims are about Redis.
      "redis: { url: \"" + nodes.redisUrl() + "\", timeoutMs: 8000, onFailure: local }",
      "clients: { identity: \"header:" + API_KEY + "\" }",
      "log: { access: true }",
      "routes:",
      "  - name: " + HOT,
      "    prefix: /" + HOT,
      "    upstream: " + nodes.mockUrl() + "/anything",
      "    rateLimit: { limit: " + HOT_LIMIT + ", windowMs: " + HOT_WINDOW_MS + " }",
      "  - name: " + BIG,
      "    prefix: /" + BIG,
      "    upstream: " + nodes.mockUrl() + "/anything",
      "    rateLimit: { limit: " + BIG_LIMIT + ", windowMs: " + BIG_WINDOW_MS + " }");
  }
}
