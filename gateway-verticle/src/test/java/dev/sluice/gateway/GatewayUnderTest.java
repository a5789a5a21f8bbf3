package dev.sluice.gateway;

import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.localredis.RedisServerProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A {@link GatewayFixture} for one test class, with a Redis and a Vert.x of its own:
 * {@code @RegisterExtension static final GatewayUnderTest gateway = new GatewayUnderTest((redis, mock) -> ...);}.
 * Started before the class's tests, and Vert.x (so the gateway and the mock) then Redis stopped
 * after them: only what it started, by its own handles. Every test starts with Redis up, even when
 * the test before it stopped it ({@link #stopRedis()}).
 */
public final class GatewayUnderTest implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
  private static final long START_S = 60;

  /** The whole config (without http.port), from the Redis URL and the upstream-mock's base URL. */
  @FunctionalInterface
  public interface Config {
    JsonObject of(String redisUrl, String mockUrl);
  }

  private final GatewayNode node;
  private final Function<Vertx, Future<?>> startFirst;
  private final Config config;
  private int instances = 1;
  private RedisServerProcess redis;
  private Vertx vertx;
  private GatewayFixture gateway;
  private HttpClient http;

  public GatewayUnderTest(Config config) {
    this(null, vertx -> Future.succeededFuture(), config);
  }

  /** @param node lets a test read the node's meters */
  public GatewayUnderTest(GatewayNode node, Config config) {
    this(node, vertx -> Future.succeededFuture(), config);
  }

  /** @param startFirst starts another upstream on the gateway's Vert.x, before the gateway */
  public GatewayUnderTest(Function<Vertx, Future<?>> startFirst, Config config) {
    this(null, startFirst, config);
  }

  /** @param node lets a test read the node's meters; @param startFirst starts another upstream first */
  public GatewayUnderTest(GatewayNode node, Function<Vertx, Future<?>> startFirst, Config config) {
    this.node = node;
    this.startFirst = startFirst;
    this.config = config;
  }

  /** Deploys {@code n} gateway instances (one node, {@code n} event loops) on one port instead of one. */
  public GatewayUnderTest instances(int n) {
    this.instances = n;
    return this;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    redis = RedisServerProcess.start();
    vertx = Vertx.vertx();
    GatewayNode gatewayNode = node != null ? node : GatewayNode.standalone();
    gateway = startFirst.apply(vertx)
      .compose(v -> GatewayFixture.start(vertx, gatewayNode, instances, mock -> config.of(redis.url(), mock)))
      .await(START_S, TimeUnit.SECONDS);
    http = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1"));
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!redis.isRunning()) {
      redis.restart();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (vertx != null) {
        vertx.close().await(START_S, TimeUnit.SECONDS);
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }

  public Vertx vertx() {
    return vertx;
  }

  /** Stops Redis under the gateway (this fixture's own redis-server); the next test finds it up again, empty. */
  public void stopRedis() {
    redis.stop();
  }

  /** A client of the gateway's port. */
  public WebClient client() {
    return gateway.client;
  }

  /** A plain HTTP client (host 127.0.0.1), for what a WebClient would change on the way. */
  public HttpClient http() {
    return http;
  }

  public int port() {
    return gateway.port;
  }

  public int mockPort() {
    return gateway.mockPort;
  }

  public SluiceConfig config() {
    return gateway.config;
  }

  public Future<JsonObject> mockStats() {
    return gateway.mockStats();
  }

  public Future<Void> resetMock() {
    return gateway.resetMock();
  }
}
