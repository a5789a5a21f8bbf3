package dev.sluice.gateway.upstream;

import dev.sluice.mock.UpstreamMockOptions;
import dev.sluice.mock.UpstreamMockVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Waiting for a pooled connection is the gateway's queue, not the upstream's failure; a refused
 * connect is the upstream's; {@code timeoutMs} starts once the request is written. Against a real
 * upstream-mock through an {@link UpstreamClient} with one pooled connection, so one slow request
 * fills the pool.
 */
@ExtendWith(VertxExtension.class)
class PoolWaitTest {
  private static final Set<Integer> FAILURE_STATUSES = Set.of(500, 502, 503, 504);
  private static final int CONNECT_TIMEOUT_MS = 1000;

  private Target mock;

  @BeforeEach
  void startMock(Vertx vertx) throws Exception {
    UpstreamMockVerticle upstream = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1").setPort(0));
    vertx.deployVerticle(upstream).await(30, TimeUnit.SECONDS);
    mock = target("http://127.0.0.1:" + upstream.actualPort());
  }

  @Test
  void aRequestThatFindsThePoolFullPastPoolWaitIsBusyAndNoFailure(Vertx vertx) throws Exception {
    UpstreamClient client = new UpstreamClient(vertx, CONNECT_TIMEOUT_MS, 60, 100, 1);
    Future<UpstreamOutcome> holder = client.send(get("/delay/" + (CONNECT_TIMEOUT_MS + 1500), 10_000), mock);
    UpstreamOutcome queued = await(client.send(get("/anything", 10_000), mock));

    assertEquals(UpstreamOutcome.Kind.BUSY, queued.kind(), queued.toString());
    assertFalse(queued.isFailure(FAILURE_STATUSES), "the gateway's own queue is no failure of the upstream");
    assertEquals(200, await(holder).response().statusCode(), "the request holding the connection is served");
    await(client.close());
  }

  @Test
  void aQueuedRequestsTimeoutStartsWhenItIsWrittenNotWhenItQueues(Vertx vertx) throws Exception {
    UpstreamClient client = new UpstreamClient(vertx, CONNECT_TIMEOUT_MS, 60, 5_000, 1);
    // Each takes 400 ms upstream, well within its 1 000 ms timeout. The fourth queues 1 200 ms
    // behind the other three: timed from the queue, it would time out before it was even sent.
    List<Future<UpstreamOutcome>> outcomes = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      outcomes.add(client.send(get("/delay/400", 1_000), mock));
    }

    for (Future<UpstreamOutcome> outcome : outcomes) {
      UpstreamOutcome answered = await(outcome);
      assertEquals(UpstreamOutcome.Kind.RESPONSE, answered.kind(), answered.toString());
      assertEquals(200, answered.response().statusCode());
      answered.response().discard();
    }
    await(client.close());
  }

  @Test
  void aRefusedConnectIsTheUpstreamsFailureNotBusy(Vertx vertx) throws Exception {
    UpstreamClient client = new UpstreamClient(vertx, CONNECT_TIMEOUT_MS, 60, 100, 1);
    UpstreamOutcome refused = await(client.send(get("/anything", 1_000), target(deadUpstream())));

    assertEquals(UpstreamOutcome.Kind.CONNECT_FAILURE, refused.kind(), refused.toString());
    assertTrue(refused.isFailure(FAILURE_STATUSES));
    await(client.close());
  }

  private static UpstreamRequest get(String path, long timeoutMs) {
    return new UpstreamRequest(HttpMethod.GET, path, headers -> { }, RequestBody.none(), timeoutMs, false);
  }

  private static Target target(String url) {
    return new Target(new TargetConfig(URI.create(url)), new TargetState());
  }

  /** A base URL whose port nothing listens on. */
  private static String deadUpstream() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(30, TimeUnit.SECONDS);
  }
}
