package dev.sluice.gateway.config;

import dev.sluice.gateway.retry.Jitter;
import dev.sluice.gateway.retry.RetryOn;
import dev.sluice.gateway.retry.RetryOptions;
import dev.sluice.gateway.upstream.Balance;
import dev.sluice.gateway.upstream.HealthOptions;
import dev.sluice.gateway.upstream.OutlierOptions;
import dev.sluice.gateway.upstream.TargetConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class ConfigParserTest {

  @Test
  void aConfigWithOnlyRoutesGetsEveryDefault() {
    assertEquals(ConfigFixtures.minimal(), ConfigParser.parse(ConfigFixtures.minimalJson()));
  }

  @Test
  void theDefaultsAreTheOnesTheDesignPromises() {
    RoutePolicy policy = RoutePolicy.DEFAULT;
    assertEquals(3000, policy.timeoutMs());
    assertEquals(new RateLimitPolicy(100, 60_000), policy.rateLimit());
    assertEquals(new CircuitPolicy(5, 30_000, Set.of(500, 502, 503, 504), Quorum.MAJORITY), policy.circuit());
    assertEquals(new RetryOptions(3, 100, 2.0, 2000, Jitter.FULL, new RetryOn(true, true, Set.of(502, 503, 504)),
        Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE")), policy.retry());
    SluiceConfig config = ConfigParser.parse(ConfigFixtures.minimalJson());
    assertEquals(new HttpOptions("0.0.0.0", 8080, 1_048_576, 60), config.http());
    assertEquals(new AdminOptions("127.0.0.1", 9090, null), config.admin());
    assertEquals(new RedisOptions("redis://127.0.0.1:6379", 50, LimiterFailureMode.LOCAL), config.redis());
    assertEquals(new LogOptions(LogFormat.JSON, true), config.log());
  }

  @Test
  void aRouteOverrideIsMergedKeyByKeyOverTheDefaults() {
    SluiceConfig config = parse("""
        {"defaults": {"rateLimit": {"limit": 10, "windowMs": 5000},
                      "retry": {"maxAttempts": 5, "initialDelayMs": 20, "jitter": "none"}},
         "routes": [{"name": "a", "prefix": "/a", "upstream": "http://a",
                     "rateLimit": {"limit": 5},
                     "retry": {"initialDelayMs": 40},
                     "circuit": {"failureStatuses": [503]}}]}
        """);
    RoutePolicy route = config.routes().get(0).policy();
    assertEquals(new RateLimitPolicy(5, 5000), route.rateLimit(), "windowMs comes from defaults");
    assertEquals(5, route.retry().maxAttempts());
    assertEquals(40, route.retry().initialDelayMs());
    assertEquals(Jitter.NONE, route.retry().jitter());
    assertEquals(RetryOptions.DEFAULT_MAX_DELAY_MS, route.retry().maxDelayMs());
    assertEquals(Set.of(503), route.circuit().failureStatuses(), "a list is replaced whole");
    assertEquals(CircuitPolicy.DEFAULT_FAILURE_THRESHOLD, route.circuit().failureThreshold());
    assertEquals(RoutePolicy.DEFAULT_TIMEOUT_MS, route.timeoutMs());
  }

  @Test
  void aRouteWithoutOverridesGetsTheDefaultsAsWritten() {
    SluiceConfig config = parse("""
        {"defaults": {"timeoutMs": 700},
         "routes": [{"name": "a", "prefix": "/a", "upstream": "http://a"}]}
        """);
    assertEquals(config.defaults(), config.routes().get(0).policy());
    assertEquals(700, config.defaults().timeoutMs());
  }

  @Test
  void enumValuesAreReadInAnyCase() {
    SluiceConfig config = parse("""
        {"redis": {"onFailure": "OPEN"}, "log": {"format": "Text"},
         "defaults": {"retry": {"jitter": "EQUAL"}}, "routes": %s}
        """.formatted(oneRoute()));
    assertEquals(LimiterFailureMode.OPEN, config.redis().onFailure());
    assertEquals(LogFormat.TEXT, config.log().format());
    assertEquals(Jitter.EQUAL, config.defaults().retry().jitter());
  }

  @Test
  void prefixesLoseTheirTrailingSlashExceptTheRoot() {
    SluiceConfig config = parse("""
        {"routes": [{"name": "a", "prefix": "/a/b/", "upstream": "http://a"},
                    {"name": "root", "prefix": "/", "upstream": "http://b"}]}
        """);
    assertEquals("/a/b", config.routes().get(0).prefix());
    assertEquals("/", config.routes().get(1).prefix());
  }

  @Test
  void upstreamKeepsItsPathWithoutTrailingSlash() {
    RouteConfig route = parse("""
        {"routes": [{"name": "a", "prefix": "/a", "upstream": "HTTPS://svc.internal:8443/v1/"}]}
        """).routes().get(0);
    assertEquals(URI.create("https://svc.internal:8443/v1"), route.upstream());
  }

  @Test
  void retryOnTakesWordsNumbersAndNumericStrings() {
    RetryOn retryOn = parse("""
        {"defaults": {"retry": {"retryOn": ["TIMEOUT", 429, "503"], "methods": ["get", "Post"]}}, "routes": %s}
        """.formatted(oneRoute())).defaults().retry().retryOn();
    assertEquals(new RetryOn(false, true, Set.of(429, 503)), retryOn);
  }

  @Test
  void quorumIsMajorityByDefaultOrANumberOfNodes() {
    assertEquals(Quorum.MAJORITY, parse("{\"routes\": " + oneRoute() + "}").defaults().circuit().quorum());
    assertEquals(new Quorum(2), parse("""
        {"defaults": {"circuit": {"quorum": 2}}, "routes": %s}
        """.formatted(oneRoute())).routes().get(0).policy().circuit().quorum());
    assertEquals(3, Quorum.MAJORITY.required(5));
    assertEquals(1, Quorum.MAJORITY.required(1), "a single node is its own majority");
    assertEquals(2, Quorum.MAJORITY.required(2));
  }

  @Test
  void methodsAreUpperCased() {
    RetryOptions retry = parse("""
        {"defaults": {"retry": {"methods": ["get", "Post", "PATCH"]}}, "routes": %s}
        """.formatted(oneRoute())).defaults().retry();
    assertEquals(Set.of("GET", "POST", "PATCH"), retry.methods());
  }

  @Test
  void anEmptyAdminTokenMeansWritesAreDisabled() {
    assertNull(parse("{\"admin\": {\"token\": \"\"}, \"routes\": " + oneRoute() + "}").admin().token());
    assertNull(parse("{\"admin\": {\"token\": null}, \"routes\": " + oneRoute() + "}").admin().token());
    assertEquals("t", parse("{\"admin\": {\"token\": \"t\"}, \"routes\": " + oneRoute() + "}").admin().token());
  }

  @Test
  void clientIdentityIsByIpOrByANamedHeader() {
    assertNull(parse("{\"clients\": {\"identity\": \"IP\"}, \"routes\": " + oneRoute() + "}").clients().identityHeader());
    assertEquals("X-Api-Key", parse("{\"clients\": {\"identity\": \"header:X-Api-Key\"}, \"routes\": "
        + oneRoute() + "}").clients().identityHeader());
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("invalidFields")
  void eachInvalidFieldIsReportedUnderItsPath(String patch, String expected) {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(patched(patch)));
    assertEquals(List.of(expected), e.problems());
  }

  /** {@code route} in a patch is merged into routes[0]; everything else into the top level. */
  static Stream<Arguments> invalidFields() {
    String retryOnRule = "must be connect, timeout or a status 100..599";
    String notUrl = "not an absolute http(s) URL";
    return Stream.of(
        arguments("{'http': 5}", "http: must be an object"),
        arguments("{'defaults': {'circuit': {'quorum': 'most'}}}",
            "defaults.circuit.quorum: must be \"majority\" or a whole number of nodes >= 1"),
        arguments("{'route': {'circuit': {'quorum': 0}}}",
            "routes[0].circuit.quorum: must be \"majority\" or a whole number of nodes >= 1"),
        arguments("{'route': {'circuit': {'quorum': 1.5}}}",
            "routes[0].circuit.quorum: must be \"majority\" or a whole number of nodes >= 1"),
        arguments("{'http': {'port': 70000}}", "http.port: must be between 0 and 65535"),
        arguments("{'http': {'port': -1}}", "http.port: must be between 0 and 65535"),
        arguments("{'http': {'port': '8080'}}", "http.port: must be an integer"),
        arguments("{'http': {'port': 80.5}}", "http.port: must be an integer"),
        arguments("{'http': {'host': ' '}}", "http.host: must not be empty"),
        arguments("{'http': {'host': 5}}", "http.host: must be a string"),
        arguments("{'http': {'maxBodyBytes': -1}}", "http.maxBodyBytes: must be >= 0"),
        arguments("{'http': {'idleTimeoutSeconds': -1}}", "http.idleTimeoutSeconds: must be >= 0"),
        arguments("{'http': {'poolWaitMs': 0}}", "http.poolWaitMs: must be > 0"),
        arguments("{'http': {'maxConnections': -1}}", "http.maxConnections: must be >= 0"),
        arguments("{'defaults': {'maxInFlight': -1}}", "defaults.maxInFlight: must be >= 0"),
        arguments("{'route': {'maxInFlight': 'many'}}", "routes[0].maxInFlight: must be an integer"),
        arguments("{'admin': {'port': 65536}}", "admin.port: must be between 0 and 65535"),
        arguments("{'admin': {'token': 42}}", "admin.token: must be a string"),
        arguments("{'admin': {'bridgePort': 70000}}", "admin.bridgePort: must be between 0 and 65535"),
        arguments("{'admin': {'bridgePort': 'on'}}", "admin.bridgePort: must be an integer"),
        arguments("{'admin': {'port': 9090, 'bridgePort': 9090}}", "admin.bridgePort: must differ from admin.port (9090)"),
        arguments("{'redis': {'url': 'http://127.0.0.1:6379'}}", "redis.url: must start with redis://, rediss:// or unix://"),
        arguments("{'redis': {'timeoutMs': 0}}", "redis.timeoutMs: must be > 0"),
        arguments("{'redis': {'onFailure': 'panic'}}", "redis.onFailure: must be one of open, closed, local"),
        arguments("{'clients': {'identity': 'cookie'}}", "clients.identity: must be ip or header:<Header-Name>"),
        arguments("{'clients': {'identity': 'header:Bad Name'}}", "clients.identity: must be ip or header:<Header-Name>"),
        arguments("{'clients': {'identity': 'header:'}}", "clients.identity: must be ip or header:<Header-Name>"),
        arguments("{'clients': {'trustedProxies': ['10.0.0.0/8', '999.1.1.1']}}",
            "clients.trustedProxies[1]: not a CIDR block such as 10.0.0.0/8 or ::1/128"),
        arguments("{'clients': {'trustedProxies': ['10.0.0.0/33']}}",
            "clients.trustedProxies[0]: prefix length must be between 0 and 32"),
        arguments("{'clients': {'trustedProxies': [8]}}", "clients.trustedProxies[0]: must be a string"),
        arguments("{'clients': {'trustedProxies': '10.0.0.0/8'}}", "clients.trustedProxies: must be a list"),
        arguments("{'log': {'format': 'xml'}}", "log.format: must be one of json, text"),
        arguments("{'log': {'access': 'yes'}}", "log.access: must be true or false"),
        arguments("{'defaults': {'timeoutMs': 0}}", "defaults.timeoutMs: must be > 0"),
        arguments("{'defaults': {'rateLimit': {'limit': 0}}}", "defaults.rateLimit.limit: must be > 0"),
        arguments("{'defaults': {'rateLimit': {'limit': 3000000000}}}", "defaults.rateLimit.limit: must be <= 2147483647"),
        arguments("{'defaults': {'rateLimit': {'windowMs': -5}}}", "defaults.rateLimit.windowMs: must be > 0"),
        arguments("{'defaults': {'circuit': {'failureThreshold': 0}}}", "defaults.circuit.failureThreshold: must be > 0"),
        arguments("{'defaults': {'circuit': {'resetTimeoutMs': 0}}}", "defaults.circuit.resetTimeoutMs: must be > 0"),
        arguments("{'defaults': {'circuit': {'failureStatuses': [500, 600]}}}",
            "defaults.circuit.failureStatuses[1]: must be between 100 and 599"),
        arguments("{'defaults': {'retry': {'maxAttempts': 0}}}", "defaults.retry.maxAttempts: must be >= 1"),
        arguments("{'defaults': {'retry': {'initialDelayMs': 0}}}", "defaults.retry.initialDelayMs: must be > 0"),
        arguments("{'defaults': {'retry': {'maxDelayMs': 0}}}", "defaults.retry.maxDelayMs: must be > 0"),
        arguments("{'defaults': {'retry': {'multiplier': 0.5}}}", "defaults.retry.multiplier: must be >= 1"),
        arguments("{'defaults': {'retry': {'multiplier': '2'}}}", "defaults.retry.multiplier: must be a number"),
        arguments("{'defaults': {'retry': {'maxDelayMs': 50}}}",
            "defaults.retry.maxDelayMs: must be >= initialDelayMs (50 < 100)"),
        arguments("{'defaults': {'retry': {'jitter': 'random'}}}", "defaults.retry.jitter: must be one of none, full, equal"),
        arguments("{'defaults': {'retry': {'retryOn': ['connect', 'reset']}}}", "defaults.retry.retryOn[1]: " + retryOnRule),
        arguments("{'defaults': {'retry': {'retryOn': [99]}}}", "defaults.retry.retryOn[0]: " + retryOnRule),
        arguments("{'defaults': {'retry': {'retryOn': ['600']}}}", "defaults.retry.retryOn[0]: " + retryOnRule),
        arguments("{'defaults': {'retry': {'methods': ['GET', 'BAD METHOD']}}}",
            "defaults.retry.methods[1]: must be an HTTP method such as GET"),
        arguments("{'routes': null}", "routes: required"),
        arguments("{'routes': []}", "routes: must list at least one route"),
        arguments("{'routes': {}}", "routes: must be a list"),
        arguments("{'routes': ['users']}", "routes[0]: must be an object"),
        arguments("{'route': {'name': null}}", "routes[0].name: required"),
        arguments("{'route': {'name': 'bad name'}}", "routes[0].name: must contain only letters, digits, '_' and '-'"),
        arguments("{'route': {'prefix': 'users'}}", "routes[0].prefix: must start with /"),
        arguments("{'route': {'prefix': '/users?x=1'}}", "routes[0].prefix: must not contain ? or #"),
        arguments("{'route': {'prefix': '/users#top'}}", "routes[0].prefix: must not contain ? or #"),
        arguments("{'route': {'prefix': '/a/../b'}}", "routes[0].prefix: must not contain empty, . or .. segments"),
        arguments("{'route': {'prefix': '/a/..'}}", "routes[0].prefix: must not contain empty, . or .. segments"),
        arguments("{'route': {'prefix': '/a//b'}}", "routes[0].prefix: must not contain empty, . or .. segments"),
        arguments("{'route': {'prefix': '//'}}", "routes[0].prefix: must not contain empty, . or .. segments"),
        arguments("{'route': {'prefix': '/a b'}}", "routes[0].prefix: must contain only URL path characters"),
        arguments("{'route': {'upstream': 'ftp://127.0.0.1'}}", "routes[0].upstream: " + notUrl),
        arguments("{'route': {'upstream': '/relative'}}", "routes[0].upstream: " + notUrl),
        arguments("{'route': {'upstream': 'http://'}}", "routes[0].upstream: " + notUrl),
        arguments("{'route': {'upstream': 'http:///path'}}", "routes[0].upstream: " + notUrl),
        arguments("{'route': {'upstream': 'http://a b'}}", "routes[0].upstream: " + notUrl),
        arguments("{'route': {'upstream': 'http://host/p?q=1'}}", "routes[0].upstream: must not have a query or fragment"),
        arguments("{'route': {'upstream': 'http://host#f'}}", "routes[0].upstream: must not have a query or fragment"),
        arguments("{'route': {'upstream': 'http://user:pw@host'}}", "routes[0].upstream: must not contain user info"),
        arguments("{'route': {'upstream': 'http://host:70000'}}", "routes[0].upstream: port must be between 1 and 65535"),
        arguments("{'route': {'upstream': 'http://users_svc:5001'}}",
            "routes[0].upstream: host of users_svc:5001 is not a valid host name or IP address"),
        arguments("{'route': {'stripPrefix': 'yes'}}", "routes[0].stripPrefix: must be true or false"),
        arguments("{'route': {'timeoutMs': -1}}", "routes[0].timeoutMs: must be > 0"),
        arguments("{'route': {'rateLimit': {'limit': 0}}}", "routes[0].rateLimit.limit: must be > 0"),
        arguments("{'route': {'circuit': []}}", "routes[0].circuit: must be an object"),
        arguments("{'route': {'retry': {'initialDelayMs': 5000}}}",
            "routes[0].retry.maxDelayMs: must be >= initialDelayMs (2000 < 5000)"),
        arguments("{'route': {'upstream': []}}", "routes[0].upstream: must list at least one target"),
        arguments("{'route': {'upstream': ['http://a:1', 'ftp://b']}}", "routes[0].upstream[1]: " + notUrl),
        arguments("{'route': {'upstream': ['http://a:1', 7]}}", "routes[0].upstream[1]: must be a URL or {url, weight}"),
        arguments("{'route': {'upstream': ['http://a:1', 'http://a:1/']}}",
            "routes[0].upstream[1]: duplicate target http://a:1"),
        arguments("{'route': {'upstream': [{'url': 'http://a:1', 'weight': 0}]}}",
            "routes[0].upstream[0].weight: must be between 1 and 1000"),
        arguments("{'route': {'upstream': [{'weight': 2}]}}", "routes[0].upstream[0].url: required"),
        arguments("{'route': {'upstream': [{'url': 'http://a:1', 'wieght': 2}]}}",
            "routes[0].upstream[0].wieght: unknown key (did you mean weight?)"),
        arguments("{'defaults': {'balance': 'random'}}", "defaults.balance: must be one of round-robin, least-requests"),
        arguments("{'defaults': {'outlier': {'consecutiveFailures': 0}}}",
            "defaults.outlier.consecutiveFailures: must be > 0"),
        arguments("{'defaults': {'outlier': {'ejectMs': 0}}}", "defaults.outlier.ejectMs: must be > 0"),
        arguments("{'route': {'outlier': {'maxEjectedPercent': 101}}}",
            "routes[0].outlier.maxEjectedPercent: must be between 0 and 100"),
        arguments("{'route': {'health': {'path': 'health'}}}",
            "routes[0].health.path: must be a path starting with / (a query is allowed)"),
        arguments("{'route': {'health': {'intervalMs': 0}}}", "routes[0].health.intervalMs: must be > 0"),
        arguments("{'route': {'health': {'timeoutMs': -1}}}", "routes[0].health.timeoutMs: must be > 0"),
        arguments("{'route': {'health': {'unhealthyAfter': 0}}}", "routes[0].health.unhealthyAfter: must be > 0"),
        arguments("{'route': {'health': {'healthyAfter': 0}}}", "routes[0].health.healthyAfter: must be > 0"),
        arguments("{'route': {'health': 'yes'}}", "routes[0].health: must be an object"));
  }

  @Test
  void upstreamIsOneUrlAListOrWeightedItems() {
    SluiceConfig config = parse("""
        {"defaults": {"balance": "round-robin", "outlier": {"ejectMs": 1000},
                      "health": {"path": "/ready", "intervalMs": 500}},
         "routes": [{"name": "one", "prefix": "/one", "upstream": "http://a:1/v1/"},
                    {"name": "many", "prefix": "/many", "balance": "least-requests", "health": false,
                     "upstream": ["http://a:1", {"url": "https://b:2/x", "weight": 3}, {"url": "http://c:3"}],
                     "outlier": {"consecutiveFailures": 2, "maxEjectedPercent": 100}}]}
        """);
    RouteConfig one = config.routes().get(0);
    assertEquals(List.of(new TargetConfig(URI.create("http://a:1/v1"))), one.targets());
    assertEquals(Balance.ROUND_ROBIN, one.policy().balance());
    assertEquals(new OutlierOptions(5, 1000, 50), one.policy().outlier());
    assertEquals(new HealthOptions(true, "/ready", 500, 1000, 3, 2), one.policy().health());
    RouteConfig many = config.routes().get(1);
    assertEquals(List.of(new TargetConfig(URI.create("http://a:1")), new TargetConfig(URI.create("https://b:2/x"), 3),
        new TargetConfig(URI.create("http://c:3"))), many.targets());
    assertEquals(Balance.LEAST_REQUESTS, many.policy().balance());
    assertEquals(new OutlierOptions(2, 1000, 100), many.policy().outlier());
    assertTrue(!many.policy().health().enabled(), "health: false turns the defaults' checks off");
    assertEquals(config, ConfigParser.parse(ConfigJson.toJson(config)), "written out and read back, it is the same");
  }

  @Test
  void aRouteWithoutTargetKnobsBalancesByLeastRequestsWithoutHealthChecks() {
    RoutePolicy policy = ConfigParser.parse(ConfigFixtures.minimalJson()).routes().get(0).policy();
    assertEquals(Balance.LEAST_REQUESTS, policy.balance());
    assertEquals(new OutlierOptions(5, 30_000, 50), policy.outlier());
    assertTrue(!policy.health().enabled());
    assertEquals(new HealthOptions(true, "/health", 5000, 1000, 3, 2),
        parse("{\"routes\": [{\"name\": \"a\", \"prefix\": \"/a\", \"upstream\": \"http://a\", \"health\": {}}]}")
            .routes().get(0).policy().health());
  }

  @Test
  void unknownKeysAreErrorsAtEveryLevel() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("""
        {"htp": {},
         "defaults": {"retry": {"maxAttempt": 2, "backoff": 1}},
         "routes": [{"name": "a", "prefix": "/a", "upstream": "http://a", "rateLimt": {"limit": 5}}]}
        """));
    assertEquals(List.of(
        "defaults.retry.maxAttempt: unknown key (did you mean maxAttempts?)",
        "defaults.retry.backoff: unknown key",
        "routes[0].rateLimt: unknown key (did you mean rateLimit?)",
        "htp: unknown key (did you mean http?)"), e.problems());
  }

  @Test
  void everyProblemIsReportedAtOnceOneLineEach() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("""
        {"http": {"port": "x"},
         "defaults": {"retry": {"multiplier": 0}},
         "routes": [{"name": "a", "prefix": "/a", "upstream": "http://a"},
                    {"name": "b", "prefix": "b", "upstream": "mailto:b@c"}]}
        """));
    assertEquals(List.of(
        "http.port: must be an integer",
        "defaults.retry.multiplier: must be >= 1",
        "routes[1].prefix: must start with /",
        "routes[1].upstream: not an absolute http(s) URL"), e.problems());
    assertEquals(String.join("\n", e.problems()), e.getMessage());
  }

  @Test
  void routeNamesAndPrefixesAreUnique() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("""
        {"routes": [{"name": "users", "prefix": "/users", "upstream": "http://a"},
                    {"name": "people", "prefix": "/users/", "upstream": "http://b"},
                    {"name": "users", "prefix": "/u", "upstream": "http://c"}]}
        """));
    assertEquals(List.of(
        "routes: duplicate prefix '/users' (routes[0] and routes[1])",
        "routes: duplicate route name 'users' (routes[0] and routes[2])"), e.problems());
  }

  @Test
  void aBadDefaultIsReportedOnceNotAgainForEveryRoute() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("""
        {"defaults": {"retry": {"initialDelayMs": 3000}},
         "routes": [{"name": "a", "prefix": "/a", "upstream": "http://a"},
                    {"name": "b", "prefix": "/b", "upstream": "http://b"}]}
        """));
    assertEquals(List.of("defaults.retry.maxDelayMs: must be >= initialDelayMs (2000 < 3000)"), e.problems());
  }

  @Test
  void pressureLimitsAreOffByDefaultAndReadWhereSet() {
    SluiceConfig plain = ConfigParser.parse(patched("{}"));
    assertEquals(HttpOptions.DEFAULT_POOL_WAIT_MS, plain.http().poolWaitMs());
    assertEquals(0, plain.http().maxConnections());
    assertEquals(0, plain.routes().get(0).policy().maxInFlight());

    SluiceConfig set = ConfigParser.parse(patched(
        "{'http': {'poolWaitMs': 250, 'maxConnections': 20000}, 'defaults': {'maxInFlight': 50}}"));
    assertEquals(250, set.http().poolWaitMs());
    assertEquals(20_000, set.http().maxConnections());
    assertEquals(50, set.routes().get(0).policy().maxInFlight(), "a route takes maxInFlight from defaults");
  }

  @Test
  void aNewRouteTableIsReadOnTopOfTheGivenDefaults() {
    RoutePolicy defaults = new RoutePolicy(900, RateLimitPolicy.DEFAULT, CircuitPolicy.DEFAULT, RetryOptions.DEFAULT);
    List<RouteConfig> routes = ConfigParser.parseRoutes(new JsonArray(oneRoute()), defaults);
    assertEquals(1, routes.size());
    assertEquals(defaults, routes.get(0).policy());

    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigParser.parseRoutes(new JsonArray("[{\"name\": \"a\"}]"), defaults));
    assertEquals(List.of("routes[0].prefix: required", "routes[0].upstream: required"), e.problems());
  }

  @Test
  void problemsFromTheEnvironmentAreNamedAfterTheVariable() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(
        patched("{'http': {'port': 'x'}, 'log': {'format': 'xml'}}"),
        java.util.Map.of("http.port", "SLUICE_HTTP_PORT")));
    assertEquals(List.of("SLUICE_HTTP_PORT: must be an integer", "log.format: must be one of json, text"),
        e.problems());
  }

  @Test
  void messagesAlwaysStartWithAPath() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(new JsonObject()));
    assertEquals(List.of("routes: required"), e.problems());
    assertTrue(e.getStackTrace().length == 0, "a user error carries no stack trace to print");
  }

  private static SluiceConfig parse(String json) {
    return ConfigParser.parse(new JsonObject(json));
  }

  private static String oneRoute() {
    return "[{\"name\": \"users\", \"prefix\": \"/users\", \"upstream\": \"http://127.0.0.1:5001\"}]";
  }

  /** The minimal config with {@code patch} (JSON with single quotes) merged in deeply. */
  private static JsonObject patched(String patch) {
    JsonObject changes = new JsonObject(patch.replace('\'', '"'));
    JsonObject config = ConfigFixtures.minimalJson();
    Object route = changes.remove("route");
    if (route != null) {
      config.getJsonArray("routes").getJsonObject(0).mergeIn((JsonObject) route, true);
    }
    return config.mergeIn(changes, true);
  }
}
