package dev.sluice.gateway;

import dev.sluice.gateway.config.ConfigParser;
import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.mock.UpstreamMockOptions;
import dev.sluice.mock.UpstreamMockVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.function.Function;

/**
 * A real gateway in front of a real upstream-mock, both on ephemeral loopback ports, with the
 * limiter pointed at a real Redis. Tests build the route table from the mock's URL.
 */
public final class GatewayFixture {
  public final Vertx vertx;
  public final WebClient client;
  public final WebClient mockClient;
  public final int mockPort;
  public final int port;
  public final SluiceConfig config;
  /** The JSON the config was parsed from, for tests that build a sibling config (an admin's). */
  public final JsonObject rawConfig;

  private GatewayFixture(Vertx vertx, int mockPort, int port, SluiceConfig config, JsonObject rawConfig) {
    this.rawConfig = rawConfig;
    this.vertx = vertx;
    this.mockPort = mockPort;
    this.port = port;
    this.config = config;
    WebClientOptions options = new WebClientOptions().setDefaultHost("127.0.0.1").setFollowRedirects(false)
      .setUserAgentEnabled(false);
    // Wide enough that a burst of requests is really in flight at once, not queued in the client.
    this.client = WebClient.create(vertx, new WebClientOptions(options).setDefaultPort(port),
      new PoolOptions().setHttp1MaxSize(256));
    this.mockClient = WebClient.create(vertx, new WebClientOptions(options).setDefaultPort(mockPort));
  }

  /**
   * @param configFor builds the whole config (without http.port) from the mock's base URL
   */
  public static Future<GatewayFixture> start(Vertx vertx, Function<String, JsonObject> configFor) {
    return start(vertx, GatewayNode.standalone(), configFor);
  }

  /** @param node lets a test read the node's meters */
  public static Future<GatewayFixture> start(Vertx vertx, GatewayNode node, Function<String, JsonObject> configFor) {
    return start(vertx, node, 1, configFor);
  }

  /**
   * @param node lets a test read the node's meters
   * @param instances gateway verticle instances of the node; more than one share a port picked
   *                  free beforehand (each instance binding port 0 would get a port of its own)
   */
  public static Future<GatewayFixture> start(Vertx vertx, GatewayNode node, int instances,
                                             Function<String, JsonObject> configFor) {
    UpstreamMockVerticle mock = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1").setPort(0));
    return vertx.deployVerticle(mock).compose(id -> {
      JsonObject json = configFor.apply("http://127.0.0.1:" + mock.actualPort());
      int port = instances == 1 ? 0 : freePort();
      JsonObject http = json.getJsonObject("http", new JsonObject()).put("host", "127.0.0.1").put("port", port);
      SluiceConfig config = ConfigParser.parse(json.put("http", http));
      if (instances == 1) {
        GatewayVerticle gateway = new GatewayVerticle(config, node);
        return vertx.deployVerticle(gateway, new DeploymentOptions())
          .map(gid -> new GatewayFixture(vertx, mock.actualPort(), gateway.actualPort(), config, json));
      }
      return vertx.deployVerticle(() -> new GatewayVerticle(config, node), new DeploymentOptions().setInstances(instances))
        .map(gid -> new GatewayFixture(vertx, mock.actualPort(), port, config, json));
    });
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonObject route(String name, String prefix, String upstream) {
    return new JsonObject().put("name", name).put("prefix", prefix).put("upstream", upstream);
  }

  public static JsonObject config(String redisUrl, JsonArray routes) {
    return new JsonObject()
      // A loaded 2-core CI machine can keep a burst waiting longer than the 50 ms default, and a
      // fallback answer would make the exactness claims about something else than Redis.
      .put("redis", new JsonObject().put("url", redisUrl).put("timeoutMs", 2000))
      .put("defaults", new JsonObject().put("rateLimit", new JsonObject().put("limit", 100_000).put("windowMs", 60_000)))
      .put("routes", routes);
  }

  public Future<JsonObject> mockStats() {
    return mockClient.get("/__mock/stats").send().map(r -> r.bodyAsJsonObject());
  }

  public Future<Void> resetMock() {
    return mockClient.post("/__mock/reset").send().mapEmpty();
  }
}
