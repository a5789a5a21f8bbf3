package dev.sluice.gateway.stream;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

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
  static final StreamingUpstream upstream = new StreamingUpstream();
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(upstream::start, (redis, mock) -> GatewayFixture.config(redis,
      new JsonArray()
        // One failure opens it: the mid-body death must be that failure.
        .add(route("dying", "/dying", upstream.url()).put("stripPrefix", true)
          .put("circuit", new JsonObject().put("failureThreshold", 1).put("resetTimeoutMs", 60_000)))
        .add(route("stalling", "/stalling", upstream.url()).put("stripPrefix", true)))
    .put("http", new JsonObject().put("idleTimeoutSeconds", 1)));

  @Test
  void anUpstreamThatDiesMidBodyResetsTheClientAndOpensTheCircuit(VertxTestContext ctx) {
    Vertx vertx = gateway.vertx();
    HttpClient client = vertx.createHttpClient();
    get(client, "/dying/dies")
      .compose(response -> {
        ctx.verify(() -> assertEquals(200, response.statusCode()));
        return brokenOff(response);
      })
      .compose(v -> get(client, "/dying/after"))
      // Held (and closed) until the end: Vert.x closes a client nothing references, connections and all.
      .andThen(ar -> client.close())
      .onComplete(ctx.succeeding(next -> ctx.verify(() -> {
        assertEquals(503, next.statusCode(), "the death counted as the circuit's one allowed failure");
        ctx.completeNow();
      })));
  }

  @Test
  void aBodySilentForTheIdleTimeoutIsCut(VertxTestContext ctx) {
    HttpClient client = gateway.vertx().createHttpClient();
    get(client, "/stalling/stalls")
      .compose(BrokenBodyTest::brokenOff)
      .andThen(ar -> client.close())
      .onComplete(ctx.succeedingThenComplete());
  }

  private static Future<HttpClientResponse> get(HttpClient client, String uri) {
    return client.request(new RequestOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI(uri))
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
