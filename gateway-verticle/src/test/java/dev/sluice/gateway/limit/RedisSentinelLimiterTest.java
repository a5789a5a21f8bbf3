package dev.sluice.gateway.limit;

import static dev.sluice.gateway.limit.Decisions.allowed;
import static dev.sluice.gateway.limit.Decisions.awaitAll;
import static dev.sluice.gateway.limit.Decisions.concurrently;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.gateway.config.LimiterFailureMode;
import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.config.RedisOptions;
import dev.sluice.localredis.LocalSentinelSet;
import dev.sluice.localredis.RedisServerProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
 * The limiter behind Redis Sentinel ({@link LocalSentinelSet}: a master, its replica, a Sentinel),
 * through {@code redis://127.0.0.1:<sentinel>?type=sentinel&master=mymaster}: exact on the master,
 * and after the master crashes, answered by {@code redis.onFailure} until the Sentinel has promoted
 * the replica, then exact through Redis again, by itself. The failover test runs last: it leaves
 * the set with one data server.
 */
@ExtendWith(VertxExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisSentinelLimiterTest {
  private static final long AWAIT_S = 20;
  private static final RateLimitPolicy FIVE_PER_MINUTE = new RateLimitPolicy(5, 60_000);
  /** Leases: a hot client's grants hold up to a tenth of the limit ({@link LeaseSizing}). */
  private static final RateLimitPolicy HUNDRED_PER_MINUTE = new RateLimitPolicy(100, 60_000);
  /**
   * Far above a Redis answer on a loaded machine, so no request here is refused as late: the test
   * is about which server decides, not speed. A dead master fails calls at once anyway (reset).
   */
  private static final long TIMEOUT_MS = 2_000;
  /** Detection (1 s) plus promotion take seconds; bounds a loaded 2-core machine keeps many times over. */
  private static final long FAILOVER_BOUND_MS = 30_000;
  private static final long RECOVERY_BOUND_MS = 20_000;

  private LocalSentinelSet set;
  @RegisterExtension
  final OpenedClients opened = new OpenedClients();
  private String route;

  @BeforeAll
  void startSentinelSet() {
    set = LocalSentinelSet.start(1);
  }

  @AfterAll
  void stopSentinelSet() {
    set.close();
  }

  @BeforeEach
  void freshRoute() {
    route = "route-" + UUID.randomUUID();
  }

  @Test
  @Order(1)
  void admitsExactlyTheLimitWithWindowsOnTheMaster(Vertx vertx) throws Exception {
    FailoverRateLimiter nodeA = limiter(vertx, LimiterFailureMode.CLOSED);
    FailoverRateLimiter nodeB = limiter(vertx, LimiterFailureMode.CLOSED);
    RedisInspector master = inspectorOf(vertx, set.currentMaster());

    List<Future<RateLimitDecision>> quiet = new ArrayList<>(concurrently(nodeA, route, "10.0.0.1", FIVE_PER_MINUTE, 10));
    quiet.addAll(concurrently(nodeB, route, "10.0.0.1", FIVE_PER_MINUTE, 10));
    assertEquals(5, allowed(awaitAll(quiet)), "two nodes, one budget");
    assertEquals(5, await(master.counted(key("10.0.0.1"), FIVE_PER_MINUTE)), "the window is on the master");

    // Many clients at once: their calls share pipelined writes (batches) to the master.
    Map<String, List<Future<RateLimitDecision>>> many = new LinkedHashMap<>();
    for (int client = 0; client < 20; client++) {
      List<Future<RateLimitDecision>> each = new ArrayList<>(concurrently(nodeA, route, "10.0.2." + client, FIVE_PER_MINUTE, 4));
      each.addAll(concurrently(nodeB, route, "10.0.2." + client, FIVE_PER_MINUTE, 4));
      many.put("10.0.2." + client, each);
    }
    await(Future.all(many.values().stream().flatMap(List::stream).toList()));
    for (Map.Entry<String, List<Future<RateLimitDecision>>> client : many.entrySet()) {
      assertEquals(5, allowed(client.getValue()), "client " + client.getKey());
    }

    long hot = 0;
    for (int burst = 0; burst < 10; burst++) {
      hot += allowed(awaitAll(concurrently(nodeA, route, "10.0.0.2", HUNDRED_PER_MINUTE, 15)));
      hot += allowed(awaitAll(concurrently(nodeB, route, "10.0.0.2", HUNDRED_PER_MINUTE, 15)));
    }
    assertTrue(hot <= 100 && hot >= 100 - 2 * 10, "a hot client through two nodes admitted " + hot);
    assertTrue(await(master.counted(key("10.0.0.2"), HUNDRED_PER_MINUTE)) <= 100);
    assertEquals(0, nodeA.fallbackCount() + nodeB.fallbackCount());
  }

  @Test
  @Order(2)
  void survivesTheMastersCrashAndLimitsThroughThePromotedReplicaByItself(Vertx vertx) throws Exception {
    FailoverRateLimiter local = limiter(vertx, LimiterFailureMode.LOCAL);
    FailoverRateLimiter closed = limiter(vertx, LimiterFailureMode.CLOSED);
    RedisServerProcess formerMaster = set.currentMaster();
    RedisInspector formerMasterInspector = inspectorOf(vertx, formerMaster);

    assertEquals(5, allowed(awaitAll(acquireSequentially(local, "10.0.1.1", 8))));
    // Replication is asynchronous: make sure the replica has the window before the crash, so what
    // follows tests the limiter, not whether Redis lost the last write.
    assertEquals(1, await(formerMasterInspector.replicasInSync(1, 5_000)));

    formerMaster.crash();

    // Meanwhile each limiter answers by its onFailure, at once, and switches after 3 failures in a
    // row. A new client, since the limiter answers a client Redis rejected without asking Redis.
    for (int i = 0; i < 3; i++) {
      Throwable refused = await(closed.acquire(route, "10.0.1.2", FIVE_PER_MINUTE).transform(Future::succeededFuture)).cause();
      assertInstanceOf(LimiterUnavailableException.class, refused, "closed: 503 LIMITER_UNAVAILABLE");
    }
    assertEquals(5, allowed(awaitAll(acquireSequentially(local, "10.0.1.2", 8))), "local: the node's window, this node's share");
    assertTrue(local.usingFallback() && closed.usingFallback(), "both switched to their fallback");
    assertFalse(await(local.acquire(route, "10.0.1.1", FIVE_PER_MINUTE)).allowed(),
        "the node still knows the 5 Redis admitted before the crash");

    RedisServerProcess promoted = set.awaitFailoverFrom(formerMaster, FAILOVER_BOUND_MS);
    assertNotEquals(formerMaster, promoted);

    // No restart, no call from outside: the probes find the new master through the Sentinel.
    await(Eventually.until(vertx, RECOVERY_BOUND_MS, "both limiters back on Redis",
        () -> Future.succeededFuture(!local.usingFallback() && !closed.usingFallback())));
    RedisInspector newMaster = inspectorOf(vertx, promoted);
    long fallbacksBefore = local.fallbackCount() + closed.fallbackCount();

    List<Future<RateLimitDecision>> fresh = new ArrayList<>(concurrently(local, route, "10.0.1.3", FIVE_PER_MINUTE, 10));
    fresh.addAll(concurrently(closed, route, "10.0.1.3", FIVE_PER_MINUTE, 10));
    assertEquals(5, allowed(awaitAll(fresh)), "exact again, across both limiters");
    assertEquals(5, await(newMaster.counted(key("10.0.1.3"), FIVE_PER_MINUTE)), "the window is on the new master");
    assertEquals(0, allowed(awaitAll(concurrently(closed, route, "10.0.1.1", FIVE_PER_MINUTE, 5))),
        "the window written before the crash was replicated and still counts");
    assertEquals(fallbacksBefore, local.fallbackCount() + closed.fallbackCount(), "decided by Redis, not a fallback");
  }

  private FailoverRateLimiter limiter(Vertx vertx, LimiterFailureMode onFailure) throws Exception {
    return opened.warmed(new FailoverRateLimiter(vertx, new RedisOptions(set.url(), TIMEOUT_MS, onFailure)));
  }

  private RedisInspector inspectorOf(Vertx vertx, RedisServerProcess server) {
    return opened.inspector(vertx, server);
  }

  private String key(String client) {
    return RateLimitKeys.key(route, client);
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

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(AWAIT_S, TimeUnit.SECONDS);
  }
}
