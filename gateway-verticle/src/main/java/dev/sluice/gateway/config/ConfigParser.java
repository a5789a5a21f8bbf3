package dev.sluice.gateway.config;

import dev.sluice.gateway.auth.AuthOptions;
import dev.sluice.gateway.client.CidrBlock;
import dev.sluice.gateway.client.ClientsOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns the config's JSON (as read from YAML or JSON by vertx-config, or built in code) into a validated
 * {@link SluiceConfig}, once, at start or on a route reload. Every key has a default except {@code routes};
 * every unknown key is an error; all problems are reported together in one {@link ConfigException}.
 */
public final class ConfigParser {
  static final String IDENTITY_IP = "ip";
  static final String IDENTITY_HEADER = "header:";
  private static final List<String> REDIS_SCHEMES = List.of("redis://", "rediss://", "unix://");

  private ConfigParser() {
  }

  /** @throws ConfigException listing every problem, one line each, each starting with its field path */
  public static SluiceConfig parse(JsonObject json) {
    return parse(json, Map.of());
  }

  /**
   * A new route table, e.g. from {@code PUT /__routes} or a {@code sluice.routes.reload} event. Routes written
   * by {@link ConfigJson} carry every policy key, so they read back the same whatever {@code defaults} is.
   *
   * @throws ConfigException with paths {@code routes[i]…}
   */
  public static List<RouteConfig> parseRoutes(JsonArray routes, RoutePolicy defaults) {
    Problems problems = new Problems(Map.of());
    List<RouteConfig> table = RouteReader.read(new ConfigValue("routes", routes, problems), defaults);
    problems.throwIfAny();
    return table;
  }

  /** @param origins field path → the name to report instead (the environment variable it came from) */
  static SluiceConfig parse(JsonObject json, Map<String, String> origins) {
    Problems problems = new Problems(origins);
    ConfigNode root = ConfigNode.root(json == null ? new JsonObject() : json, problems);
    HttpOptions http = http(root.object("http"));
    AdminOptions admin = admin(root.object("admin"));
    RedisOptions redis = redis(root.object("redis"));
    ClientsOptions clients = clients(root.object("clients"));
    LogOptions log = log(root.object("log"));
    if (http.redirectPort() != HttpOptions.NO_REDIRECT
        && (http.redirectPort() == admin.port() || admin.bridgeOn() && http.redirectPort() == admin.bridgePort())) {
      // Vert.x would share one listener between them, in silence, rather than fail to bind.
      problems.add("http.redirectPort", "must differ from admin.port and admin.bridgePort (" + http.redirectPort() + ")");
    }
    RoutePolicy defaults = defaults(root.object("defaults"));
    List<RouteConfig> routes = RouteReader.read(root.value("routes"), defaults);
    AuthOptions auth = AuthReader.options(root.object("auth"));
    TracingOptions tracing = TracingReader.read(root.value(TracingReader.SECTION));
    root.rejectUnknownKeys();
    problems.throwIfAny();
    return new SluiceConfig(http, admin, redis, clients, log, defaults, routes, auth, tracing);
  }

  private static HttpOptions http(ConfigNode node) {
    int port = node.intValue("port", Range.PORT, HttpOptions.DEFAULT_PORT);
    TlsOptions tls = EdgeReader.tls(node);
    HttpOptions http = new HttpOptions(
        host(node.value("host"), HttpOptions.DEFAULT_HOST),
        port,
        node.longValue("maxBodyBytes", Range.NON_NEGATIVE, HttpOptions.DEFAULT_MAX_BODY_BYTES),
        node.intValue("idleTimeoutSeconds", Range.NON_NEGATIVE, HttpOptions.DEFAULT_IDLE_TIMEOUT_SECONDS),
        tls, EdgeReader.http2(node), EdgeReader.redirectPort(node, port, node.value("tls").isSet()),
        node.longValue("poolWaitMs", Range.POSITIVE, HttpOptions.DEFAULT_POOL_WAIT_MS),
        node.intValue("maxConnections", Range.NON_NEGATIVE, HttpOptions.NO_CONNECTION_LIMIT));
    node.rejectUnknownKeys();
    return http;
  }

  private static AdminOptions admin(ConfigNode node) {
    AdminOptions admin = new AdminOptions(
        host(node.value("host"), AdminOptions.DEFAULT_HOST),
        node.intValue("port", Range.PORT, AdminOptions.DEFAULT_PORT),
        // an empty token must not become a password that an empty Authorization header matches
        node.value("token").string().filter(token -> !token.isBlank()).orElse(null),
        node.intValue("bridgePort", Range.PORT, AdminOptions.BRIDGE_OFF));
    if (admin.bridgeOn() && admin.bridgePort() == admin.port()) {
      node.problem("bridgePort", "must differ from admin.port (" + admin.port() + ")");
    }
    node.rejectUnknownKeys();
    return admin;
  }

  private static RedisOptions redis(ConfigNode node) {
    ConfigValue url = node.value("url");
    RedisOptions redis = new RedisOptions(
        url.string().map(String::trim).filter(u -> hasRedisScheme(u, url)).orElse(RedisOptions.DEFAULT_URL),
        node.longValue("timeoutMs", Range.POSITIVE, RedisOptions.DEFAULT_TIMEOUT_MS),
        node.oneOf("onFailure", LimiterFailureMode.class, RedisOptions.DEFAULT_ON_FAILURE));
    node.rejectUnknownKeys();
    return redis;
  }

  /** Only the scheme is checked: vertx-redis-client reads the rest, for single, sentinel and cluster alike. */
  private static boolean hasRedisScheme(String url, ConfigValue value) {
    boolean ok = REDIS_SCHEMES.stream().anyMatch(s -> url.regionMatches(true, 0, s, 0, s.length()));
    if (!ok) {
      value.problem("must start with redis://, rediss:// or unix://");
    }
    return ok;
  }

  private static ClientsOptions clients(ConfigNode node) {
    ClientsOptions clients = new ClientsOptions(
        identityHeader(node.value("identity")),
        node.value("trustedProxies").list().map(ConfigParser::cidrBlocks)
            .orElse(ClientsOptions.DEFAULT_TRUSTED_PROXIES));
    node.rejectUnknownKeys();
    return clients;
  }

  /** {@code ip} → null; {@code header:X-Api-Key} → {@code X-Api-Key}. */
  private static String identityHeader(ConfigValue value) {
    String identity = value.string().map(String::trim).orElse(IDENTITY_IP);
    if (identity.equalsIgnoreCase(IDENTITY_IP)) {
      return null;
    }
    String header = identity.regionMatches(true, 0, IDENTITY_HEADER, 0, IDENTITY_HEADER.length())
        ? identity.substring(IDENTITY_HEADER.length()).trim() : "";
    if (!PolicyReader.HTTP_TOKEN.matcher(header).matches()) {
      value.problem("must be ip or header:<Header-Name>");
      return null;
    }
    return header;
  }

  private static List<CidrBlock> cidrBlocks(List<ConfigValue> items) {
    return items.stream()
        .map(item -> item.string().flatMap(text -> cidrBlock(text, item)))
        .flatMap(Optional::stream)
        .toList();
  }

  private static Optional<CidrBlock> cidrBlock(String text, ConfigValue item) {
    try {
      return Optional.of(CidrBlock.parse(text));
    } catch (IllegalArgumentException e) {
      item.problem(e.getMessage());
      return Optional.empty();
    }
  }

  private static LogOptions log(ConfigNode node) {
    LogOptions log = new LogOptions(
        node.oneOf("format", LogFormat.class, LogOptions.DEFAULT_FORMAT),
        node.bool("access", LogOptions.DEFAULT_ACCESS));
    node.rejectUnknownKeys();
    return log;
  }

  private static RoutePolicy defaults(ConfigNode node) {
    RoutePolicy defaults = PolicyReader.read(node, RoutePolicy.DEFAULT);
    node.rejectUnknownKeys();
    return defaults;
  }

  private static String host(ConfigValue value, String fallback) {
    Optional<String> host = value.string().map(String::trim);
    if (host.isPresent() && host.get().isEmpty()) {
      value.problem("must not be empty");
      return fallback;
    }
    return host.orElse(fallback);
  }

  /** The {@code clients.identity} text for a header name (null = by IP), as {@link ConfigJson} writes it. */
  static String identityText(String identityHeader) {
    return identityHeader == null ? IDENTITY_IP : IDENTITY_HEADER + identityHeader;
  }
}
