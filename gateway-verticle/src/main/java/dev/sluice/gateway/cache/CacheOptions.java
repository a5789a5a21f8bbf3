package dev.sluice.gateway.cache;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A route's response cache ({@code routes[i].cache}); {@link #OFF} unless the route sets it.
 *
 * @param ttlSeconds                  freshness of an answer that gives none of its own (max-age, s-maxage, Expires)
 * @param maxBodyBytes                larger answers stream to the client uncached
 * @param methods                     methods answered from the cache (HEAD is answered from a GET's entry)
 * @param vary                        request headers added to the key, lower case
 * @param staleIfErrorSeconds         how long past freshness an entry may stand in for a failed upstream
 * @param staleWhileRevalidateSeconds how long past freshness an entry is served while one refresh runs
 * @param localMaxEntries             the per-node tier's bound in entries (0: no local tier)
 * @param localMaxBytes               the per-node tier's bound in body bytes
 */
public record CacheOptions(boolean enabled, long ttlSeconds, long maxBodyBytes, Set<String> methods, List<String> vary,
                           long staleIfErrorSeconds, long staleWhileRevalidateSeconds, int localMaxEntries,
                           long localMaxBytes) {
  public static final long DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
  public static final Set<String> DEFAULT_METHODS = Set.of("GET", "HEAD");
  public static final int DEFAULT_LOCAL_MAX_ENTRIES = 10_000;
  public static final long DEFAULT_LOCAL_MAX_BYTES = 64L * 1024 * 1024;
  public static final CacheOptions OFF = new CacheOptions(false, 0, DEFAULT_MAX_BODY_BYTES, DEFAULT_METHODS, List.of(),
    0, 0, 0, 0);

  public CacheOptions {
    methods = Set.copyOf(methods);
    vary = vary.stream().map(h -> h.toLowerCase(Locale.ROOT)).distinct().sorted().toList();
  }

  /** How long Redis keeps an entry past its freshness: the longest any stale use of it may come. */
  public long staleKeepMs() {
    return Math.max(staleIfErrorSeconds, staleWhileRevalidateSeconds) * 1000;
  }
}
