package dev.sluice.gateway.config;

import dev.sluice.gateway.cache.CacheOptions;
import dev.sluice.gateway.client.ClientsOptions;
import dev.sluice.gateway.retry.Jitter;
import dev.sluice.gateway.retry.RetryOn;
import dev.sluice.gateway.retry.RetryOptions;
import dev.sluice.gateway.upstream.HealthOptions;
import dev.sluice.gateway.upstream.TargetConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Writes the config back as JSON in the file's own layout, with effective values (defaults merged), so
 * {@code ConfigParser.parse(ConfigJson.toJson(config))} gives back an equal config. Sets are written sorted so
 * the output is stable for diffs and tests.
 */
public final class ConfigJson {
  private ConfigJson() {
  }

  /**
   * The whole config, <em>including {@code admin.token}</em>: for handing a config on, never for showing it.
   * To show routes, use {@link #toJson(List)}, which holds no secret.
   */
  public static JsonObject toJson(SluiceConfig config) {
    return new JsonObject()
        .put("http", toJson(config.http()))
        .put("admin", toJson(config.admin()))
        .put("redis", toJson(config.redis()))
        .put("clients", toJson(config.clients()))
        .put("log", new JsonObject().put("format", lower(config.log().format())).put("access", config.log().access()))
        .put("defaults", toJson(config.defaults()))
        .put("routes", toJson(config.routes()))
        .put("auth", AuthJson.toJson(config.auth()))
        .put("tracing", config.tracing().toJson());
  }

  /** The route table, as {@code GET /__routes} shows it and {@code sluice.routes.reload} carries it. */
  public static JsonArray toJson(List<RouteConfig> routes) {
    JsonArray array = new JsonArray();
    routes.forEach(route -> array.add(toJson(route)));
    return array;
  }

  /** One route with its full effective policy, flat as in the file: name, prefix, …, timeoutMs, rateLimit, …. */
  public static JsonObject toJson(RouteConfig route) {
    JsonObject json = new JsonObject()
        .put("name", route.name())
        .put("prefix", route.prefix())
        .put("upstream", upstream(route))
        .put("stripPrefix", route.stripPrefix());
    if (!route.tls().equals(UpstreamTls.DEFAULT)) {
      json.put("tls", toJson(route.tls()));
    }
    if (route.h2()) {
      json.put("h2", true);
    }
    json.mergeIn(toJson(route.policy()));
    json = AuthJson.mergeInto(json, route.auth());
    return route.cache().enabled() ? json.put("cache", toJson(route.cache())) : json;
  }

  public static JsonObject toJson(CacheOptions cache) {
    return new JsonObject()
        .put("ttlSeconds", cache.ttlSeconds())
        .put("maxBodyBytes", cache.maxBodyBytes())
        .put("methods", sorted(cache.methods()))
        .put("vary", new JsonArray(new ArrayList<>(cache.vary())))
        .put("staleIfErrorSeconds", cache.staleIfErrorSeconds())
        .put("staleWhileRevalidateSeconds", cache.staleWhileRevalidateSeconds())
        .put("local", new JsonObject().put("maxEntries", cache.localMaxEntries()).put("maxBytes", cache.localMaxBytes()));
  }

  /** Paths and names only: what a route reload on another node needs, nothing secret. */
  private static JsonObject toJson(UpstreamTls tls) {
    JsonObject json = new JsonObject().put("verify", tls.verify());
    if (tls.caFile() != null) {
      json.put("caFile", tls.caFile().toString());
    }
    if (tls.serverName() != null) {
      json.put("serverName", tls.serverName());
    }
    return json;
  }

  public static JsonObject toJson(RoutePolicy policy) {
    return new JsonObject()
        .put("timeoutMs", policy.timeoutMs())
        .put("rateLimit", new JsonObject()
            .put("limit", policy.rateLimit().limit())
            .put("windowMs", policy.rateLimit().windowMs()))
        .put("circuit", new JsonObject()
            .put("failureThreshold", policy.circuit().failureThreshold())
            .put("resetTimeoutMs", policy.circuit().resetTimeoutMs())
            .put("failureStatuses", sorted(policy.circuit().failureStatuses()))
            .put("quorum", policy.circuit().quorum().toConfig()))
        .put("retry", toJson(policy.retry()))
        .put("balance", policy.balance().text())
        .put("outlier", new JsonObject()
            .put("consecutiveFailures", policy.outlier().consecutiveFailures())
            .put("ejectMs", policy.outlier().ejectMs())
            .put("maxEjectedPercent", policy.outlier().maxEjectedPercent()))
        .put("health", health(policy.health()))
        .put("maxInFlight", policy.maxInFlight());
  }

  /** One target as the plain URL it was most likely written as; several as a list of {url, weight}. */
  private static Object upstream(RouteConfig route) {
    List<TargetConfig> targets = route.targets();
    if (targets.size() == 1 && targets.get(0).weight() == TargetConfig.DEFAULT_WEIGHT) {
      return targets.get(0).name();
    }
    JsonArray array = new JsonArray();
    targets.forEach(t -> array.add(new JsonObject().put("url", t.name()).put("weight", t.weight())));
    return array;
  }

  /** {@code false} when off, so a route written out keeps them off whatever the reader's {@code defaults} say. */
  private static Object health(HealthOptions health) {
    if (!health.enabled()) {
      return false;
    }
    return new JsonObject()
        .put("path", health.path())
        .put("intervalMs", health.intervalMs())
        .put("timeoutMs", health.timeoutMs())
        .put("unhealthyAfter", health.unhealthyAfter())
        .put("healthyAfter", health.healthyAfter());
  }

  private static JsonObject toJson(RetryOptions retry) {
    return new JsonObject()
        .put("maxAttempts", retry.maxAttempts())
        .put("initialDelayMs", retry.initialDelayMs())
        .put("multiplier", retry.multiplier())
        .put("maxDelayMs", retry.maxDelayMs())
        .put("jitter", lower(retry.jitter()))
        .put("retryOn", toJson(retry.retryOn()))
        .put("methods", sorted(retry.methods()))
        .put("bufferBytes", retry.bufferBytes());
  }

  private static JsonArray toJson(RetryOn retryOn) {
    JsonArray array = new JsonArray();
    if (retryOn.connect()) {
      array.add("connect");
    }
    if (retryOn.timeout()) {
      array.add("timeout");
    }
    return array.addAll(sorted(retryOn.statuses()));
  }

  private static JsonObject toJson(HttpOptions http) {
    JsonObject json = new JsonObject()
        .put("host", http.host())
        .put("port", http.port())
        .put("maxBodyBytes", http.maxBodyBytes())
        .put("idleTimeoutSeconds", http.idleTimeoutSeconds())
        .put("poolWaitMs", http.poolWaitMs())
        .put("maxConnections", http.maxConnections())
        .put("http2", new JsonObject().put("enabled", http.http2().enabled())
            .put("maxConcurrentStreams", http.http2().maxConcurrentStreams()))
        .put("redirectPort", http.redirectPort());
    if (http.tls() != null) {
      json.put("tls", toJson(http.tls()));
    }
    return json;
  }

  /** The files' paths, never their contents. */
  private static JsonObject toJson(TlsOptions tls) {
    JsonArray sni = new JsonArray();
    tls.sni().forEach(entry -> sni.add(new JsonObject().put("host", entry.host())
        .put("cert", entry.cert().toString()).put("key", entry.key().toString())));
    return new JsonObject().put("cert", tls.cert().toString()).put("key", tls.key().toString())
        .put("reloadSeconds", tls.reloadSeconds()).put("sni", sni);
  }

  private static JsonObject toJson(AdminOptions admin) {
    JsonObject json = new JsonObject().put("host", admin.host()).put("port", admin.port())
      .put("bridgePort", admin.bridgePort());
    return admin.token() == null ? json : json.put("token", admin.token());
  }

  private static JsonObject toJson(RedisOptions redis) {
    return new JsonObject()
        .put("url", redis.url())
        .put("timeoutMs", redis.timeoutMs())
        .put("onFailure", lower(redis.onFailure()));
  }

  private static JsonObject toJson(ClientsOptions clients) {
    JsonArray proxies = new JsonArray();
    clients.trustedProxies().forEach(block -> proxies.add(block.toString()));
    return new JsonObject()
        .put("identity", ConfigParser.identityText(clients.identityHeader()))
        .put("trustedProxies", proxies);
  }

  private static String lower(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }

  private static JsonArray sorted(Collection<?> values) {
    // a mutable list, so a caller may still edit the JSON it was given
    List<Object> list = values.stream().sorted().collect(Collectors.toCollection(ArrayList::new));
    return new JsonArray(list);
  }
}
