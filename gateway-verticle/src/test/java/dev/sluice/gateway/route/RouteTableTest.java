package dev.sluice.gateway.route;

import dev.sluice.gateway.config.CircuitPolicy;
import dev.sluice.gateway.retry.Jitter;
import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.retry.RetryOn;
import dev.sluice.gateway.retry.RetryOptions;
import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.config.RoutePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.sluice.gateway.upstream.Target;
import dev.sluice.gateway.upstream.TargetState;
import java.net.URI;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteTableTest {
  static final RoutePolicy POLICY = new RoutePolicy(1000, new RateLimitPolicy(10, 1000),
    new CircuitPolicy(5, 1000, Set.of(500), dev.sluice.gateway.config.Quorum.MAJORITY),
    new RetryOptions(1, 10, 2.0, 100, Jitter.NONE, RetryOn.DEFAULT, Set.of("GET")));

  static RouteConfig route(String name, String prefix, String upstream, boolean strip) {
    return new RouteConfig(name, prefix, URI.create(upstream), strip, POLICY);
  }

  final RouteTable table = new RouteTable(List.of(
    route("users", "/users", "http://users:5001", false),
    route("admin-users", "/users/admin", "http://admin:5002", false),
    route("api", "/api", "http://api:5003/v2", true)));

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/users, users",
    "/users/7, users",
    "/users/7/orders, users",
    "/users/admin, admin-users",
    "/users/admin/1, admin-users",
    "/users/administrator, users",
    "/api/x, api"})
  void longestPrefixOnASegmentBoundaryWins(String path, String expected) {
    assertEquals(expected, table.match(path).map(Route::name).orElse("none"));
  }

  @Test
  void aPrefixNeverMatchesInsideASegment() {
    assertEquals(Optional.empty(), table.match("/usersX"));
    assertEquals(Optional.empty(), table.match("/apiary"));
    assertEquals(Optional.empty(), table.match("/"));
  }

  @Test
  void normalisationKeepsDotSegmentsFromReachingAnotherRoute() {
    assertEquals(Optional.empty(), table.match(PathNormalizer.normalize("/users/../admin")));
    assertEquals(Optional.empty(), table.match(PathNormalizer.normalize("/users/%2e%2e/admin")));
    assertEquals("admin-users", table.match(PathNormalizer.normalize("//users//admin/./x")).orElseThrow().name());
  }

  @Test
  void stripPrefixAndUpstreamBasePathShapeTheForwardedUri() {
    Route api = table.match("/api/items/3").orElseThrow();
    Target apiTarget = new Target(api.config().targets().get(0), new TargetState());
    assertEquals("/v2/items/3?q=1", apiTarget.uri(api.forwardedPath("/api/items/3", "q=1")));
    assertEquals("/v2", apiTarget.uri(api.forwardedPath("/api", null)));
    assertEquals("/v2?q=1", apiTarget.uri(api.forwardedPath("/api", "q=1")));
    Route users = table.match("/users/7").orElseThrow();
    Target usersTarget = new Target(users.config().targets().get(0), new TargetState());
    assertEquals("/users/7", usersTarget.uri(users.forwardedPath("/users/7", null)));
  }

  @Test
  void aRootRouteCatchesWhatNothingElseDoes() {
    RouteTable withRoot = new RouteTable(List.of(route("root", "/", "http://r:1", false),
      route("users", "/users", "http://u:1", false)));
    assertEquals("root", withRoot.match("/anything").orElseThrow().name());
    assertEquals("users", withRoot.match("/users/1").orElseThrow().name());
    assertTrue(withRoot.match("/").isPresent());
  }
}
