package dev.sluice.gateway.redis;

import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns {@code redis.url} into vertx-redis-client options.
 *
 * <p>{@code redis.url} is one connection string, or several separated by commas, each of the form
 * {@code redis[s]://[user:password@]host[:port][/db]}. Query hints pick the client type; they may
 * sit on any endpoint of the list (the README writes them on the last, others on the first), and
 * two endpoints that disagree on a hint are refused rather than one silently winning
 * (vertx-redis-client ignores query keys it does not know, so they can stay in the URL):
 * <ul>
 *   <li>{@code redis://127.0.0.1:6379} - one server ({@link RedisClientType#STANDALONE});</li>
 *   <li>{@code redis://n1:7000,redis://n2:7000?type=cluster} - Redis Cluster seed nodes
 *       ({@link RedisClientType#CLUSTER}); every limiter key carries a hash tag, so each script
 *       call touches one slot;</li>
 *   <li>{@code redis://s1:26379,redis://s2:26379?type=sentinel&master=mymaster} - Sentinels
 *       ({@link RedisClientType#SENTINEL}); always connects to the master, since the limiter
 *       writes;</li>
 *   <li>{@code redis://a:6379,redis://b:6379?type=replication} - static primary/replicas
 *       ({@link RedisClientType#REPLICATION}); writes go to the primary.</li>
 * </ul>
 */
public final class RedisUrl {
  /** Connections per verticle instance (per node for Cluster); each carries one request at a time. */
  public static final int MAX_POOL_SIZE = 8;
  /**
   * Requests that may queue for a pooled connection. Past it a request fails at once, which the
   * failover limiter answers from its fallback; a slower queue would only time out later.
   */
  public static final int MAX_POOL_WAITING = 1024;
  /**
   * A black-holed Redis must not pin pooled connections for the JDK default minute; callers
   * answer from their fallback long before this anyway.
   */
  public static final int CONNECT_TIMEOUT_MS = 2000;

  private static final String DEFAULT_MASTER = "mymaster";

  private RedisUrl() {
  }

  /**
   * @throws IllegalArgumentException naming {@code redis.url} and what is wrong with it
   */
  public static RedisOptions toClientOptions(String url) {
    if (url == null || url.isBlank()) {
      throw new IllegalArgumentException("redis.url: must not be empty");
    }
    List<String> endpoints = Arrays.stream(url.split(","))
        .map(String::trim)
        .filter(s -> !s.isEmpty())
        .collect(Collectors.toCollection(ArrayList::new));
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("redis.url: must name at least one endpoint");
    }
    Map<String, String> hints = hintsOf(endpoints);
    RedisClientType type = typeOf(hints.getOrDefault("type", "standalone"));
    if (type == RedisClientType.STANDALONE && endpoints.size() > 1) {
      throw new IllegalArgumentException("redis.url: several endpoints need ?type=cluster|sentinel|replication");
    }
    RedisOptions options = new RedisOptions()
        .setType(type)
        .setEndpoints(endpoints)
        .setMaxPoolSize(MAX_POOL_SIZE)
        .setMaxPoolWaiting(MAX_POOL_WAITING);
    if (type == RedisClientType.SENTINEL) {
      options.setMasterName(hints.getOrDefault("master", DEFAULT_MASTER)).setRole(RedisRole.MASTER);
    }
    // Keep the client's defaults (TCP keep-alive, no Nagle) and bound the connect.
    options.getNetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS);
    return options;
  }

  /** Every endpoint's query hints, merged; the same hint with two values is a mistake worth naming. */
  private static Map<String, String> hintsOf(List<String> endpoints) {
    Map<String, String> hints = new HashMap<>();
    for (String endpoint : endpoints) {
      for (Map.Entry<String, String> hint : queryOf(endpoint).entrySet()) {
        String before = hints.putIfAbsent(hint.getKey(), hint.getValue());
        if (before != null && !before.equals(hint.getValue())) {
          throw new IllegalArgumentException("redis.url: endpoints disagree on ?" + hint.getKey() + "= ('"
              + before + "' and '" + hint.getValue() + "')");
        }
      }
    }
    return hints;
  }

  private static RedisClientType typeOf(String hint) {
    try {
      return RedisClientType.valueOf(hint.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "redis.url: unknown type '" + hint + "' (standalone|cluster|sentinel|replication)", e);
    }
  }

  private static Map<String, String> queryOf(String endpoint) {
    URI uri;
    try {
      uri = new URI(endpoint);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("redis.url: not a URI: " + endpoint, e);
    }
    String scheme = uri.getScheme();
    if (scheme == null || !(scheme.equals("redis") || scheme.equals("rediss") || scheme.equals("unix"))) {
      throw new IllegalArgumentException("redis.url: scheme must be redis, rediss or unix: " + endpoint);
    }
    Map<String, String> query = new HashMap<>();
    if (uri.getQuery() != null) {
      for (String pair : uri.getQuery().split("&")) {
        int eq = pair.indexOf('=');
        if (eq > 0) {
          query.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
      }
    }
    return query;
  }
}
