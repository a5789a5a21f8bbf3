package dev.sluice.gateway.proxy;

import dev.sluice.gateway.cache.BodyCapture;
import dev.sluice.gateway.cache.CacheKey;
import dev.sluice.gateway.cache.CacheOptions;
import dev.sluice.gateway.cache.CacheRules;
import dev.sluice.gateway.cache.CacheStore;
import dev.sluice.gateway.cache.CachedEntry;
import dev.sluice.gateway.cache.Found;
import dev.sluice.gateway.cache.LocalTier;
import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.upstream.HopByHopHeaders;
import dev.sluice.gateway.upstream.UpstreamResponse;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One request to a cached route that found no fresh entry. It takes the entry's fill lock in Redis
 * and goes upstream, or, when another request anywhere in the cluster holds the lock, waits for
 * that request's entry (polling Redis, bounded by the route's {@code timeoutMs}), then goes
 * upstream itself if none came. Upstream, it revalidates a stale entry that has validators, serves
 * the stale entry instead of an upstream failure within {@code staleIfErrorSeconds}, and has a
 * storable answer's body copied as it streams to the client ({@link BodyCapture}).
 */
final class CacheFill {
  /** Sluice's own answers that mean "the upstream failed", which a stale entry may replace. */
  private static final Set<GatewayError> UPSTREAM_FAILURES = Set.of(GatewayError.CIRCUIT_OPEN,
    GatewayError.NO_HEALTHY_UPSTREAM, GatewayError.UPSTREAM_UNAVAILABLE, GatewayError.UPSTREAM_TIMEOUT);
  /** Headers the entry never keeps: recomputed (length, age) or per connection. */
  private static final List<String> NOT_STORED = List.of("content-length", "age", "x-cache", "x-request-id");
  private static final long FIRST_POLL_MS = 5;
  private static final long MAX_POLL_MS = 50;

  private final Vertx vertx;
  private final Exchange exchange;
  private final CacheRules rules;
  private final CacheOptions options;
  private final CacheKey key;
  private final CacheStore store;
  private final LocalTier tier;
  private final String owner;
  private final boolean revalidate;
  private final long timeoutMs;

  CacheFill(Vertx vertx, Exchange exchange, CacheRules rules, CacheKey key, CacheStore store, LocalTier tier,
            String owner, boolean revalidate) {
    this.vertx = vertx;
    this.exchange = exchange;
    this.rules = rules;
    this.options = rules.options();
    this.key = key;
    this.store = store;
    this.tier = tier;
    this.owner = owner;
    this.revalidate = revalidate;
    this.timeoutMs = exchange.route().policy().timeoutMs();
  }

  static Future<ProxyReply> serve(Exchange exchange, Found found, CacheResult result) {
    exchange.cacheResult(result);
    return Future.succeededFuture(ProxyReply.fromCache(found));
  }

  /** What Redis had for the key (null: nothing). */
  Future<ProxyReply> found(Found found) {
    Found stale = usable(found);
    if (stale != null && stale.fresh() && !revalidate) {
      tier.put(key.digest(), stale);
      return serve(exchange, stale, CacheResult.HIT);
    }
    if (exchange.request().method() == HttpMethod.HEAD && stale == null) {
      // HEAD is answered from a GET's entry but never fills one: it has no body to store.
      exchange.cacheResult(CacheResult.MISS);
      return exchange.proceed();
    }
    if (stale != null && !revalidate && stale.staleWithin(options.staleWhileRevalidateSeconds())) {
      new BackgroundRefresh(exchange, this).start(stale);
      return serve(exchange, stale, CacheResult.STALE);
    }
    return lockOrWait(stale);
  }

  private Found usable(Found found) {
    return found != null && found.entry() != null && CacheRules.servable(found.entry(), exchange.request().headers())
      ? found : null;
  }

  private Future<ProxyReply> lockOrWait(Found stale) {
    return store.tryLock(key, owner, timeoutMs).transform(locked -> {
      if (locked.failed()) {
        return upstream(stale, false);
      }
      return locked.result() ? upstream(stale, true) : await(stale, System.nanoTime() + timeoutMs * 1_000_000, FIRST_POLL_MS);
    });
  }

  /** Polls for the entry the lock's holder is filling, until it comes, the lock goes, or the deadline passes. */
  private Future<ProxyReply> await(Found stale, long deadlineNanos, long pollMs) {
    Promise<Void> slept = Promise.promise();
    vertx.setTimer(pollMs, t -> slept.complete());
    return slept.future().compose(v -> store.lookup(key)).transform(looked -> {
      Found now = looked.succeeded() ? looked.result() : null;
      Found entry = usable(now);
      if (entry != null && entry.fresh()) {
        tier.put(key.digest(), entry);
        return serve(exchange, entry, CacheResult.HIT);
      }
      boolean stillFilling = now != null && now.fillUnderWay();
      if (looked.failed() || !stillFilling || System.nanoTime() >= deadlineNanos) {
        // The holder stored nothing (an answer that may not be stored) or is late: go ourselves.
        return upstream(entry != null ? entry : stale, false);
      }
      return await(stale, deadlineNanos, Math.min(MAX_POLL_MS, pollMs * 2));
    });
  }

  /** Goes upstream; {@code stale} (may be null) is revalidated, or stands in for a failure. */
  Future<ProxyReply> upstream(Found stale, boolean holdsLock) {
    CachedEntry validating = validating(stale);
    exchange.upstreamHeaders(headers -> conditionalHeaders(headers, validating));
    exchange.cacheResult(CacheResult.MISS);
    return exchange.proceed().transform(reply -> answered(reply, stale, validating, holdsLock));
  }

  /**
   * The client's own conditions are dropped: a fill wants the whole answer, to store it and
   * answer every client. A revalidation asks with the entry's validators instead.
   */
  static CachedEntry validating(Found stale) {
    return stale != null && stale.entry().hasValidators() ? stale.entry() : null;
  }

  static void conditionalHeaders(MultiMap headers, CachedEntry validating) {
    headers.remove(HttpHeaders.IF_NONE_MATCH).remove(HttpHeaders.IF_MODIFIED_SINCE);
    if (validating == null) {
      return;
    }
    String etag = validating.header("ETag");
    String lastModified = validating.header("Last-Modified");
    if (etag != null) {
      headers.set(HttpHeaders.IF_NONE_MATCH, etag);
    }
    if (lastModified != null) {
      headers.set(HttpHeaders.IF_MODIFIED_SINCE, lastModified);
    }
  }

  private Future<ProxyReply> answered(AsyncResult<ProxyReply> reply, Found stale, CachedEntry validating,
                                      boolean holdsLock) {
    if (reply.failed()) {
      release(holdsLock);
      if (stale != null && upstreamFailure(reply.cause()) && stale.staleWithin(options.staleIfErrorSeconds())) {
        return serve(exchange, stale, CacheResult.STALE);
      }
      return Future.failedFuture(reply.cause());
    }
    UpstreamResponse upstream = reply.result().upstream();
    int status = upstream.statusCode();
    if (status == 304 && validating != null) {
      upstream.discard();
      return revalidated(stale, upstream.headers(), holdsLock);
    }
    if (stale != null && exchange.route().policy().circuit().failureStatuses().contains(status)
        && stale.staleWithin(options.staleIfErrorSeconds())) {
      upstream.discard();
      release(holdsLock);
      return serve(exchange, stale, CacheResult.STALE);
    }
    Fill fill = fillFor(upstream);
    if (fill == null) {
      release(holdsLock);
    } else {
      BodyCapture capture = new BodyCapture(options.maxBodyBytes());
      exchange.capture(capture);
      capture.body().onComplete(body -> {
        if (body.succeeded()) {
          keep(fill.entry(body.result()), holdsLock);
        } else {
          release(holdsLock);
        }
      });
    }
    return Future.succeededFuture(reply.result());
  }

  /** A stored entry the upstream said is still good: fresh again, with the 304's headers. */
  private Future<ProxyReply> revalidated(Found stale, MultiMap notModified, boolean holdsLock) {
    CachedEntry refreshed = refreshed(stale, notModified);
    keep(refreshed, holdsLock);
    return serve(exchange, new Found(refreshed, refreshed.initialAgeMs(), false), CacheResult.REVALIDATED);
  }

  /** The stale entry with the 304's headers (RFC 9111 §4.3.4) and its freshness computed again from them. */
  CachedEntry refreshed(Found stale, MultiMap notModified) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    HopByHopHeaders.copyEndToEnd(notModified, headers, NOT_STORED);
    MultiMap merged = MultiMap.caseInsensitiveMultiMap();
    stale.entry().headers().forEach(h -> merged.add(h.getKey(), h.getValue()));
    merged.setAll(headers);
    long freshness = Math.max(0, rules.freshnessMs(stale.entry().status(), MultiMap.caseInsensitiveMultiMap(), merged));
    return stale.entry().refreshedBy(headers, freshness, CacheRules.initialAgeMs(notModified),
      freshness + options.staleKeepMs());
  }

  /** What to store of this answer once its body is in, or null when it must not be stored. */
  Fill fillFor(UpstreamResponse upstream) {
    int status = upstream.statusCode();
    MultiMap responseHeaders = upstream.headers();
    long freshness = rules.freshnessMs(status, exchange.request().headers(), responseHeaders);
    boolean validators = responseHeaders.contains(HttpHeaders.ETAG) || responseHeaders.contains(HttpHeaders.LAST_MODIFIED);
    boolean worthStoring = freshness > 0 || validators || options.staleIfErrorSeconds() > 0;
    if (freshness < 0 || !worthStoring || exchange.request().method() == HttpMethod.HEAD
        || upstream.contentLength() > options.maxBodyBytes()) {
      return null;
    }
    MultiMap kept = MultiMap.caseInsensitiveMultiMap();
    HopByHopHeaders.copyEndToEnd(responseHeaders, kept, NOT_STORED);
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    kept.forEach(h -> headers.add(Map.entry(h.getKey(), h.getValue())));
    return new Fill(key.path(), status, headers, freshness, CacheRules.initialAgeMs(responseHeaders),
      freshness + options.staleKeepMs(), CacheRules.sharedByAnswer(responseHeaders));
  }

  /** An answer's entry, less its body. */
  record Fill(String path, int status, List<Map.Entry<String, String>> headers, long freshnessMs, long initialAgeMs,
              long lifetimeMs, boolean shared) {
    CachedEntry entry(Buffer body) {
      return new CachedEntry(path, status, headers, body, freshnessMs, initialAgeMs, lifetimeMs, shared);
    }
  }

  /** Stores the entry in Redis and this node's tier; the lock goes once Redis has it, so a waiter finds it. */
  void keep(CachedEntry entry, boolean holdsLock) {
    tier.put(key.digest(), new Found(entry, entry.initialAgeMs(), false));
    store.store(key, entry).onComplete(stored -> release(holdsLock));
  }

  void release(boolean holdsLock) {
    if (holdsLock) {
      store.unlock(key, owner);
    }
  }

  long maxBodyBytes() {
    return options.maxBodyBytes();
  }

  Future<Boolean> tryLock() {
    return store.tryLock(key, owner, timeoutMs);
  }

  private static boolean upstreamFailure(Throwable cause) {
    return cause instanceof GatewayException e && UPSTREAM_FAILURES.contains(e.error());
  }
}
