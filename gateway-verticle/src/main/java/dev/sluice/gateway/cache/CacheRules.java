package dev.sluice.gateway.cache;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/** What a shared cache may do with a request and an answer (RFC 9111), for one route's options. */
public final class CacheRules {
  /** Cacheable by default (RFC 9110 §15.1) — what we store; anything else goes through uncached. */
  private static final Set<Integer> STORABLE = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);

  private final CacheOptions options;

  public CacheRules(CacheOptions options) {
    this.options = options;
  }

  public CacheOptions options() {
    return options;
  }

  /** Whether the request may use the cache at all: a cached method, and no {@code no-store}. */
  public boolean requestUsesCache(String method, MultiMap headers) {
    return options.methods().contains(method)
      && !CacheControl.parse(headers.getAll(HttpHeaders.CACHE_CONTROL)).has("no-store");
  }

  /** The client asks that whatever is stored be checked with the upstream first ({@code no-cache}, {@code max-age=0}). */
  public static boolean clientWantsRevalidation(MultiMap headers) {
    CacheControl cc = CacheControl.parse(headers.getAll(HttpHeaders.CACHE_CONTROL));
    return cc.has("no-cache") || cc.seconds("max-age") == 0
      || (!headers.contains(HttpHeaders.CACHE_CONTROL) && "no-cache".equalsIgnoreCase(headers.get("Pragma")));
  }

  /** A stored answer may go to a request with credentials only if it said so (RFC 9111 §3.5). */
  public static boolean servable(CachedEntry entry, MultiMap requestHeaders) {
    return entry.shared() || !requestHeaders.contains(HttpHeaders.AUTHORIZATION);
  }

  /**
   * How long the answer stays fresh, or -1 when it must not be stored (RFC 9111 §3).
   *
   * @param requestHeaders the request the answer is to
   */
  public long freshnessMs(int status, MultiMap requestHeaders, MultiMap responseHeaders) {
    if (!STORABLE.contains(status) || responseHeaders.contains(HttpHeaders.SET_COOKIE)) {
      return -1;
    }
    CacheControl cc = CacheControl.parse(responseHeaders.getAll(HttpHeaders.CACHE_CONTROL));
    if (cc.has("no-store") || cc.has("private") || !varyCovered(responseHeaders)) {
      return -1;
    }
    if (requestHeaders.contains(HttpHeaders.AUTHORIZATION) && !sharedByAnswer(cc)) {
      return -1;
    }
    if (cc.has("no-cache")) {
      // Stored, but checked with the upstream before every use: worth it only with a validator.
      boolean validators = responseHeaders.contains(HttpHeaders.ETAG) || responseHeaders.contains(HttpHeaders.LAST_MODIFIED);
      return validators ? 0 : -1;
    }
    long sMaxAge = cc.seconds("s-maxage");
    if (sMaxAge >= 0) {
      return sMaxAge * 1000;
    }
    long maxAge = cc.seconds("max-age");
    if (maxAge >= 0) {
      return maxAge * 1000;
    }
    String expires = responseHeaders.get(HttpHeaders.EXPIRES);
    if (expires != null) {
      return expiresMs(expires, responseHeaders.get(HttpHeaders.DATE));
    }
    return options.ttlSeconds() * 1000;
  }

  /** Whether the answer is for everyone: {@code public} or {@code s-maxage}. */
  public static boolean sharedByAnswer(MultiMap responseHeaders) {
    return sharedByAnswer(CacheControl.parse(responseHeaders.getAll(HttpHeaders.CACHE_CONTROL)));
  }

  private static boolean sharedByAnswer(CacheControl cc) {
    return cc.has("public") || cc.seconds("s-maxage") >= 0;
  }

  /** The upstream's {@code Age}: how old the answer already was when it reached us. */
  public static long initialAgeMs(MultiMap responseHeaders) {
    String age = responseHeaders.get("Age");
    try {
      return age == null ? 0 : Math.max(0, Long.parseLong(age.trim()) * 1000);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * {@code Vary: *} is never stored; otherwise every header the answer varies on must be one the
   * key holds (the route's {@code vary}), or two clients' different answers would share a key.
   */
  private boolean varyCovered(MultiMap responseHeaders) {
    for (String value : responseHeaders.getAll(HttpHeaders.VARY)) {
      boolean covered = Arrays.stream(value.split(",")).map(String::trim).filter(h -> !h.isEmpty())
        .allMatch(h -> !h.equals("*") && options.vary().contains(h.toLowerCase(Locale.ROOT)));
      if (!covered) {
        return false;
      }
    }
    return true;
  }

  /** Expires minus the upstream's own Date (both on its clock); an unreadable Expires means already expired. */
  private static long expiresMs(String expires, String date) {
    try {
      ZonedDateTime until = ZonedDateTime.parse(expires.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
      ZonedDateTime from = date == null ? ZonedDateTime.now() : ZonedDateTime.parse(date.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
      return Math.max(0, until.toInstant().toEpochMilli() - from.toInstant().toEpochMilli());
    } catch (DateTimeParseException e) {
      return 0;
    }
  }
}
