package dev.sluice.gateway.config;

import dev.sluice.gateway.client.ClientsOptions;
import dev.sluice.gateway.retry.Jitter;
import dev.sluice.gateway.retry.RetryOn;
import dev.sluice.gateway.retry.RetryOptions;
import dev.sluice.gateway.client.CidrBlock;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.List;
import java.util.Set;

/** The configs the tests read and the records they must turn into. */
final class ConfigFixtures {
  static final String MINIMAL = """
      {"routes": [{"name": "users", "prefix": "/users", "upstream": "http://127.0.0.1:5001"}]}
      """;

  private ConfigFixtures() {
  }

  static JsonObject minimalJson() {
    return new JsonObject(MINIMAL);
  }

  /** What config/gateway-full.yaml and config/gateway-full.json both describe. */
  static SluiceConfig full() {
    RetryOptions retry = new RetryOptions(4, 50, 1.5, 800, Jitter.EQUAL,
        new RetryOn(true, false, Set.of(503, 504)), Set.of("GET", "HEAD"));
    RoutePolicy defaults = new RoutePolicy(2500, new RateLimitPolicy(50, 1000),
        new CircuitPolicy(3, 10_000, Set.of(500, 503), Quorum.MAJORITY), retry);
    RoutePolicy orders = new RoutePolicy(1000, new RateLimitPolicy(5, 1000), defaults.circuit(),
        new RetryOptions(1, 50, 1.5, 800, Jitter.EQUAL, retry.retryOn(), Set.of("GET", "POST")));
    return new SluiceConfig(
        new HttpOptions("127.0.0.1", 8081, 2048, 0),
        new AdminOptions("0.0.0.0", 9091, "s3cret"),
        new RedisOptions("rediss://cache.internal:6380", 75, LimiterFailureMode.CLOSED),
        new ClientsOptions("X-Api-Key", List.of(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("::1/128"))),
        new LogOptions(LogFormat.TEXT, false),
        defaults,
        List.of(
            new RouteConfig("users", "/users", URI.create("http://127.0.0.1:5001"), true, defaults),
            new RouteConfig("orders_v2", "/orders", URI.create("https://orders.internal:8443/api"), false, orders)));
  }

  /** What {@link #MINIMAL} (and config/gateway-minimal.yml) must become: every other key at its default. */
  static SluiceConfig minimal() {
    return new SluiceConfig(
        new HttpOptions(HttpOptions.DEFAULT_HOST, HttpOptions.DEFAULT_PORT, HttpOptions.DEFAULT_MAX_BODY_BYTES,
            HttpOptions.DEFAULT_IDLE_TIMEOUT_SECONDS),
        new AdminOptions(AdminOptions.DEFAULT_HOST, AdminOptions.DEFAULT_PORT, null),
        new RedisOptions(RedisOptions.DEFAULT_URL, RedisOptions.DEFAULT_TIMEOUT_MS, RedisOptions.DEFAULT_ON_FAILURE),
        new ClientsOptions(null, List.of()),
        new LogOptions(LogFormat.JSON, true),
        RoutePolicy.DEFAULT,
        List.of(new RouteConfig("users", "/users", URI.create("http://127.0.0.1:5001"), false, RoutePolicy.DEFAULT)));
  }
}
