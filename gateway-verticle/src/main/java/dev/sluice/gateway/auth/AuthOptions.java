package dev.sluice.gateway.auth;

import java.util.Objects;

/**
 * The top-level {@code auth} section: what every API-key route of the node shares.
 *
 * @param apiKeyHeader the request header that carries an API key
 * @param cacheSeconds how long a node trusts a key it verified in Redis without asking again; also how
 *                     long such a key keeps passing while Redis is down. Revocations evict at once.
 * @param cacheEntries the most verified keys (and, separately, verified tokens) a verticle instance keeps
 */
public record AuthOptions(String apiKeyHeader, int cacheSeconds, int cacheEntries) {
  public static final String DEFAULT_API_KEY_HEADER = "X-Api-Key";
  public static final int DEFAULT_CACHE_SECONDS = 30;
  public static final int DEFAULT_CACHE_ENTRIES = 100_000;
  public static final AuthOptions DEFAULT = new AuthOptions(DEFAULT_API_KEY_HEADER, DEFAULT_CACHE_SECONDS,
    DEFAULT_CACHE_ENTRIES);

  public AuthOptions {
    Objects.requireNonNull(apiKeyHeader, "apiKeyHeader");
  }
}
