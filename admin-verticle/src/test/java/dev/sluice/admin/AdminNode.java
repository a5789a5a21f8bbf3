package dev.sluice.admin;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.config.ConfigParser;
import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.gateway.metrics.VertxMetricsOptions;
import dev.sluice.localredis.RedisServerProcess;
import dev.sluice.gateway.stats.StatsPublisher;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

import static dev.sluice.gateway.GatewayFixture.route;

/**
 * One whole node for the bridge and page tests, for one test class: a real Redis, upstream-mock,
 * gateway, the node's stats publisher, and an admin verticle with a token and the TCP bridge on,
 * all on loopback. Routes {@code users} ({@code /users}, trips after 2 failures) and
 * {@code orders} ({@code /orders}). {@code @RegisterExtension static final AdminNode node = new AdminNode();}
 */
public final class AdminNode implements BeforeAllCallback, AfterAllCallback {
  public static final String TOKEN = "bridge-test-token";

  private final Runnable assumptions;
  private RedisServerProcess redis;
  private Vertx vertx;
  private GatewayFixture gateway;
  private int adminPort;
  private int bridgePort;
  private WebClient admin;

  public AdminNode() {
    this(() -> { });
  }

  private AdminNode(Runnable assumptions) {
    this.assumptions = assumptions;
  }

  /** A node that is started only when {@code assumptions} (JUnit assumptions) hold; else the class is skipped. */
  public static AdminNode assuming(Runnable assumptions) {
    return new AdminNode(assumptions);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    assumptions.run();
    redis = RedisServerProcess.start();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(VertxMetricsOptions.forNode()))
      .withMetrics(new MicrometerMetricsFactory(registry)).build();
    GatewayNode node = GatewayNode.standalone(registry);
    gateway = GatewayFixture.start(vertx, node, mock -> GatewayFixture.config(redis.url(), new JsonArray()
      .add(route("users", "/users", mock).put("stripPrefix", true)
        .put("retry", new JsonObject().put("maxAttempts", 1))
        .put("circuit", new JsonObject().put("failureThreshold", 2).put("resetTimeoutMs", 600_000)))
      .add(route("orders", "/orders", mock).put("stripPrefix", true)))).await();
    vertx.deployVerticle(new StatsPublisher(gateway.config, node)).await();
    for (int attempt = 1; ; attempt++) {
      bridgePort = freePort();
      SluiceConfig config = ConfigParser.parse(gateway.rawConfig.copy().put("admin", new JsonObject()
        .put("host", "127.0.0.1").put("port", 0).put("token", TOKEN).put("bridgePort", bridgePort)));
      AdminVerticle verticle = new AdminVerticle(config, registry);
      try {
        vertx.deployVerticle(verticle).await();
        adminPort = verticle.actualPort();
        admin = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(adminPort));
        return;
      } catch (RuntimeException e) {
        if (attempt == 3) {
          throw e;
        }
        // another build on this machine took the port in between: ask for another
      }
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    try {
      if (vertx != null) {
        vertx.close().await();
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

  /** A client of the admin port. */
  public WebClient admin() {
    return admin;
  }

  public int adminPort() {
    return adminPort;
  }

  public int bridgePort() {
    return bridgePort;
  }

  /**
   * A port nothing listens on now. The bridge takes a fixed port (0 means off), so a test asks the
   * kernel for a free one; another process taking it in the moment between is unlikely enough.
   */
  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JsonObject getJson(String uri) {
    return admin.get(uri).send().await().bodyAsJsonObject();
  }

  /** The route's cluster state as {@code GET /__circuit} shows it. */
  public JsonObject circuit(String route) {
    return getJson("/__circuit").getJsonArray("routes").stream().map(JsonObject.class::cast)
      .filter(r -> route.equals(r.getString("route"))).findFirst().orElseThrow();
  }

  /** Polls {@code check} every 50 ms until it holds, at most {@code seconds}. */
  public void await(String what, int seconds, java.util.function.Supplier<Boolean> check) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!check.get()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + seconds + " s: " + what);
      }
      vertx.timer(50).await();
    }
  }

  /** The gateway's status for a GET through it. */
  public int gatewayStatus(String uri) {
    return gateway.client.get(uri).send().await().statusCode();
  }
}
