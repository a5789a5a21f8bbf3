package dev.sluice.gateway.limit;

import static dev.sluice.gateway.limit.Decisions.allowed;
import static dev.sluice.gateway.limit.Decisions.awaitAll;
import static dev.sluice.gateway.limit.Decisions.concurrently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.gateway.config.LimiterFailureMode;
import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.config.RedisOptions;
import dev.sluice.localredis.LocalRedisCluster;
import dev.sluice.localredis.RedisServerProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The limiter on a real Redis Cluster of three masters, each with a replica
 * ({@link LocalRedisCluster}), through the README's URL form: the limits stay exact whichever
 * master holds a client's window, and when a master crashes and its replica takes over. The
 * failover test runs last: it leaves the cluster with one node fewer.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterLimiterTest {
  private static final long AWAIT_S = 20;
  /** Under 20: no leases, every request is one script call on the master that holds the window. */
  private static final RateLimitPolicy FIVE_PER_MINUTE = new RateLimitPolicy(5, 60_000);
  /** Leases: a hot client's grants hold up to a tenth of the limit for 100 ms ({@link LeaseSizing}). */
  private static final RateLimitPolicy HUNDRED_PER_MINUTE = new RateLimitPolicy(100, 60_000);
  private static final int MAX_GRANT = HUNDRED_PER_MINUTE.limit() / 10;
  private static final int CLIENTS_PER_MASTER = 3;
  /** Far above a Redis answer on a loaded machine: these tests are about which server decides, not speed. */
  private static final long TIMEOUT_MS = 2_000;
  /** Detection (node timeout 2 s) plus an election take seconds; bounds kept many times over. */
  private static final long FAILOVER_BOUND_MS = 30_000;
  private static final long RECOVERY_BOUND_MS = 20_000;

  private LocalRedisCluster cluster;
  private String readmeUrl;
  @RegisterExtension
  final OpenedClients opened = new OpenedClients();
  /** A fresh route per test: tests share one cluster but never a window. */
  private String route;

  @BeforeAll
  void startCluster() {
    cluster = LocalRedisCluster.start(3, 1);
    // Fixed at start: after the failover test the first seed is gone, as a node in production may be.
    readmeUrl = cluster.masters().get(0).url() + "," + cluster.masters().get(1).url() + "?type=cluster";
  }

  @AfterAll
  void stopCluster() {
    cluster.close();
  }

  @BeforeEach
  void freshRoute() {
    route = "route-" + UUID.randomUUID();
  }

  @Test
  void theTestsClientsHaveWindowsOnEveryMaster() {
    assertEquals(3, cluster.masters().size());
    assertEquals(Set.copyOf(cluster.masters()), Set.copyOf(clientsOnEveryMaster().values()),
        "the test's clients have windows on all three masters");
  }

  @Test
  void clientsSeenNowAndThenGetExactlyTheLimitOnWhicheverMasterHoldsTheirWindow(Vertx vertx) throws Exception {
    RedisSlidingWindowLimiter limiter = limiter(vertx);
    Map<String, RedisServerProcess> clients = clientsOnEveryMaster();
    // Every client at once, three times its limit each: calls to all masters interleave.
    Map<String, List<Future<RateLimitDecision>>> decisions = new LinkedHashMap<>();
    clients.keySet().forEach(client -> decisions.put(client, concurrently(limiter, route, client, FIVE_PER_MINUTE, 15)));
    await(Future.all(decisions.values().stream().flatMap(List::stream).toList()));

    for (Map.Entry<String, RedisServerProcess> client : clients.entrySet()) {
      assertEquals(5, allowed(decisions.get(client.getKey())), "client " + client.getKey());
      // Read on the master that owns the slot, with a plain connection to it alone.
      assertEquals(5, await(inspectorOf(vertx, client.getValue()).counted(key(client.getKey()), FIVE_PER_MINUTE)),
          "window of " + client.getKey() + " on port " + client.getValue().port());
    }
  }

  @Test
  void hotClientsLeaseSlotsOnTheirMasterAndNeverGoOverTheLimit(Vertx vertx) throws Exception {
    RedisSlidingWindowLimiter limiter = limiter(vertx);
    Map<String, RedisServerProcess> clients = clientsOnEveryMaster();
    Map<String, Long> admitted = new LinkedHashMap<>();
    clients.keySet().forEach(client -> admitted.put(client, 0L));
    // Back-to-back bursts, as a busy event loop sees them; bounded in count, not in time.
    for (int burst = 0; burst < 12; burst++) {
      Map<String, List<Future<RateLimitDecision>>> decisions = new LinkedHashMap<>();
      clients.keySet().forEach(client -> decisions.put(client, concurrently(limiter, route, client, HUNDRED_PER_MINUTE, 25)));
      await(Future.all(decisions.values().stream().flatMap(List::stream).toList()));
      decisions.forEach((client, each) -> admitted.merge(client, allowed(each), Long::sum));
    }

    for (Map.Entry<String, RedisServerProcess> client : clients.entrySet()) {
      long allowed = admitted.get(client.getKey());
      RedisInspector owner = inspectorOf(vertx, client.getValue());
      String key = key(client.getKey());
      assertTrue(allowed <= 100, client.getKey() + " admitted " + allowed);
      // The price of a lease: under-served by at most the slots of the one still running.
      assertTrue(allowed >= 100 - MAX_GRANT, client.getKey() + " admitted " + allowed);
      assertTrue(await(owner.counted(key, HUNDRED_PER_MINUTE)) <= 100);
      assertTrue(await(owner.members(key)) < allowed, "leases: weighted members on port " + client.getValue().port());
    }
  }

  @Test
  void twoLimitersLikeTwoGatewayNodesShareEachClientsBudgetOnTheCluster(Vertx vertx) throws Exception {
    RedisSlidingWindowLimiter nodeA = limiter(vertx);
    RedisSlidingWindowLimiter nodeB = limiter(vertx);
    Map<String, RedisServerProcess> clients = clientsOnEveryMaster();
    Map<String, Long> seenNowAndThen = new LinkedHashMap<>();
    Map<String, Long> hot = new LinkedHashMap<>();
    for (int burst = 0; burst < 12; burst++) {
      Map<String, List<Future<RateLimitDecision>>> quiet = new LinkedHashMap<>();
      Map<String, List<Future<RateLimitDecision>>> busy = new LinkedHashMap<>();
      for (String client : clients.keySet()) {
        List<Future<RateLimitDecision>> q = new ArrayList<>(concurrently(nodeA, route, client, FIVE_PER_MINUTE, 1));
        q.addAll(concurrently(nodeB, route, client, FIVE_PER_MINUTE, 1));
        quiet.put(client, q);
        List<Future<RateLimitDecision>> b = new ArrayList<>(concurrently(nodeA, route, "hot-" + client, HUNDRED_PER_MINUTE, 15));
        b.addAll(concurrently(nodeB, route, "hot-" + client, HUNDRED_PER_MINUTE, 15));
        busy.put(client, b);
      }
      await(Future.all(quiet.values().stream().flatMap(List::stream).toList()));
      await(Future.all(busy.values().stream().flatMap(List::stream).toList()));
      quiet.forEach((client, each) -> seenNowAndThen.merge(client, allowed(each), Long::sum));
      busy.forEach((client, each) -> hot.merge(client, allowed(each), Long::sum));
    }

    for (String client : clients.keySet()) {
      assertEquals(5, seenNowAndThen.get(client), "client " + client + " through two nodes");
      long allowed = hot.get(client);
      assertTrue(allowed <= 100, "hot-" + client + " admitted " + allowed + " through two nodes");
      assertTrue(allowed >= 100 - 2 * MAX_GRANT, "hot-" + client + " admitted " + allowed + " through two nodes");
      RedisInspector owner = inspectorOf(vertx, cluster.masterOf(key("hot-" + client)));
      assertTrue(await(owner.counted(key("hot-" + client), HUNDRED_PER_MINUTE)) <= 100);
    }
  }

  @Test
  void theGatewaysFailoverLimiterWarmsUpOnTheClusterAndLimitsThroughIt(Vertx vertx) throws Exception {
    FailoverRateLimiter limiter = failoverLimiter(vertx, LimiterFailureMode.CLOSED);
    Map<String, RedisServerProcess> clients = clientsOnEveryMaster();
    for (String client : clients.keySet()) {
      assertEquals(5, allowed(awaitAll(concurrently(limiter, route, client, FIVE_PER_MINUTE, 10))), "client " + client);
    }
    assertEquals(0, limiter.fallbackCount());
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void survivesAMastersCrashAndLimitsThroughItsPromotedReplicaByItself(Vertx vertx) throws Exception {
    FailoverRateLimiter local = failoverLimiter(vertx, LimiterFailureMode.LOCAL);
    FailoverRateLimiter closed = failoverLimiter(vertx, LimiterFailureMode.CLOSED);
    // The README URL's first seed, too: the client must find the cluster through the second.
    RedisServerProcess doomed = cluster.masters().get(0);
    List<String> onDoomed = clientsOnEveryMaster().entrySet().stream()
        .filter(client -> client.getValue().equals(doomed)).map(Map.Entry::getKey).toList();
    String before = onDoomed.get(0);
    String during = onDoomed.get(1);
    String after = onDoomed.get(2);

    assertEquals(5, allowed(awaitAll(acquireSequentially(local, before, 8))));
    // Replication is asynchronous: make sure the replica has the window before the crash, so what
    // follows tests the limiter, not whether Redis lost the last write.
    assertEquals(1, await(inspectorOf(vertx, doomed).replicasInSync(1, 5_000)));

    doomed.crash();

    // Meanwhile each limiter answers by its onFailure, at once, and switches after 3 failures in a
    // row (vertx-redis-client's cluster connection needs every node it knows, so every key fails).
    for (int i = 0; i < 3; i++) {
      Throwable refused = await(closed.acquire(route, during, FIVE_PER_MINUTE).transform(Future::succeededFuture)).cause();
      assertInstanceOf(LimiterUnavailableException.class, refused, "closed: 503 LIMITER_UNAVAILABLE");
    }
    assertEquals(5, allowed(awaitAll(acquireSequentially(local, during, 8))), "local: the node's window, this node's share");
    assertTrue(local.usingFallback() && closed.usingFallback(), "both switched to their fallback");

    RedisServerProcess promoted = cluster.awaitFailoverFrom(doomed, FAILOVER_BOUND_MS);

    // No restart, no call from outside: the probes find the new topology through the seeds left.
    await(Eventually.until(vertx, RECOVERY_BOUND_MS, "both limiters back on Redis",
        () -> Future.succeededFuture(!local.usingFallback() && !closed.usingFallback())));
    long fallbacksBefore = local.fallbackCount() + closed.fallbackCount();

    List<Future<RateLimitDecision>> fresh = new ArrayList<>(concurrently(local, route, after, FIVE_PER_MINUTE, 10));
    fresh.addAll(concurrently(closed, route, after, FIVE_PER_MINUTE, 10));
    assertEquals(5, allowed(awaitAll(fresh)), "exact again, across both limiters");
    assertEquals(promoted, cluster.masterOf(key(after)));
    assertEquals(5, await(inspectorOf(vertx, promoted).counted(key(after), FIVE_PER_MINUTE)), "the window is on the promoted replica");
    assertEquals(0, allowed(awaitAll(concurrently(closed, route, before, FIVE_PER_MINUTE, 5))),
        "the window written before the crash was replicated and still counts");
    for (Map.Entry<String, RedisServerProcess> other : clientsOnEveryMaster().entrySet()) {
      if (!other.getValue().equals(promoted)) {
        assertEquals(5, allowed(awaitAll(concurrently(closed, route, other.getKey(), FIVE_PER_MINUTE, 8))),
            "client " + other.getKey() + " on port " + other.getValue().port());
      }
    }
    assertEquals(fallbacksBefore, local.fallbackCount() + closed.fallbackCount(), "decided by Redis, not a fallback");
  }

  /** Two seeds, the hint on the last endpoint, as the README writes it. */
  private String readmeUrl() {
    return readmeUrl;
  }

  private RedisSlidingWindowLimiter limiter(Vertx vertx) {
    return opened.limiter(new RedisSlidingWindowLimiter(vertx, new RedisOptions(readmeUrl(), TIMEOUT_MS, LimiterFailureMode.LOCAL)));
  }

  /** As GatewayVerticle builds it, warmed up before use. */
  private FailoverRateLimiter failoverLimiter(Vertx vertx, LimiterFailureMode onFailure) throws Exception {
    return opened.warmed(new FailoverRateLimiter(vertx, new RedisOptions(readmeUrl(), TIMEOUT_MS, onFailure)));
  }

  /** One after the other, each waiting for the previous answer: as a client that retries on 429. */
  private List<Future<RateLimitDecision>> acquireSequentially(RateLimiter limiter, String client, int count) throws Exception {
    List<Future<RateLimitDecision>> decisions = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Future<RateLimitDecision> decision = limiter.acquire(route, client, FIVE_PER_MINUTE);
      await(decision);
      decisions.add(decision);
    }
    return decisions;
  }

  private RedisInspector inspectorOf(Vertx vertx, RedisServerProcess master) {
    return opened.inspector(vertx, master);
  }

  /**
   * Client addresses whose windows (on this test's route) fall on each master, a few per master,
   * found by asking the cluster for each key's slot: every master serves the test.
   */
  private Map<String, RedisServerProcess> clientsOnEveryMaster() {
    Map<String, RedisServerProcess> clients = new LinkedHashMap<>();
    Map<RedisServerProcess, Integer> perMaster = new LinkedHashMap<>();
    // 16384 slots in three equal ranges: 300 candidates leave each master short with odds ~ (2/3)^300.
    for (int i = 1; i <= 300 && clients.size() < CLIENTS_PER_MASTER * 3; i++) {
      String client = "10.0." + (i / 250) + "." + (i % 250);
      RedisServerProcess master = cluster.masterOf(key(client));
      if (perMaster.merge(master, 1, Integer::sum) <= CLIENTS_PER_MASTER) {
        clients.put(client, master);
      }
    }
    assertEquals(CLIENTS_PER_MASTER * 3, clients.size(), "clients on every master: "
        + clients.values().stream().map(RedisServerProcess::port).collect(Collectors.toList()));
    return clients;
  }

  private String key(String client) {
    return RateLimitKeys.key(route, client);
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(AWAIT_S, TimeUnit.SECONDS);
  }
}
