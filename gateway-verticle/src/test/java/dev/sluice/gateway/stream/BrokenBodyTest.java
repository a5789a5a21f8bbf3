package dev.sluice.gateway.stream;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.localredis.RedisServerProcess;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A body that breaks off after its head: the status has gone, so the client's connection is
 * reset (never a short body passed off as whole), and the upstream's failure counts.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class BrokenBodyTest {
  static RedisServerProcess redis;
  static StreamingUpstream upstream;
  static GatewayFixture gw;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext ctx) {
    redis = RedisServerProcess.start();
    upstream = new StreamingUpstream(vertx);
    upstream.start().compose(port -> GatewayFixture.start(vertx, mock -> GatewayFixture.config(redis.url(),
        new JsonArray()
          // One failure opens it: the mid-body death must be that failure.
          .add(route("dying", "/dying", upstream.url()).put("stripPrefix", true)
            .put("circuit", new JsonObject().put("failureThreshold", 1).put("resetTimeoutMs", 60_000)))
          .add(route("stalling", "/stalling", upstream.url()).put("stripPrefix", true)))
        .put("http", new JsonObject().put("idleTimeoutSeconds", 1))))
      .onComplete(ctx.succeeding(f -> {
        gw = f;
        ctx.completeNow();
      }));
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.stop();
    }
  }

  @Test
  void anUpstreamThatDiesMidBodyResetsTheClientAndOpensTheCircuit(Vertx vertx, VertxTestContext ctx) {
    HttpClient client = vertx.createHttpClient();
    get(client, "/dying/dies")
      .compose(response -> {
        ctx.verify(() -> assertEquals(200, response.statusCode()));
        return brokenOff(response);
      })
      .compose(v -> get(vertx.createHttpClient(), "/dying/after"))
      .onComplete(ctx.succeeding(next -> ctx.verify(() -> {
        assertEquals(503, next.statusCode(), "the death counted as the circuit's one allowed failure");
        ctx.completeNow();
      })));
  }

  @Test
  void aBodySilentForTheIdleTimeoutIsCut(Vertx vertx, VertxTestContext ctx) {
    get(vertx.createHttpClient(), "/stalling/stalls")
      .compose(BrokenBodyTest::brokenOff)
      .onComplete(ctx.succeedingThenComplete());
  }

  private static Future<HttpClientResponse> get(HttpClient client, String uri) {
    return client.request(new RequestOptions().setHost("127.0.0.1").setPort(gw.port).setURI(uri))
      .compose(req -> req.send());
  }

  /** Succeeds when the body fails (a reset), fails when it ends as if whole. */
  private static Future<Void> brokenOff(HttpClientResponse response) {
    Promise<Void> broken = Promise.promise();
    response.handler(chunk -> { });
    response.exceptionHandler(err -> broken.tryComplete());
    response.endHandler(v -> broken.tryFail("the body ended as if it were whole"));
    return broken.future();
  }
}
