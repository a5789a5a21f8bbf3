package dev.sluice.gateway.cache;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The cluster's tier: entries and fill locks in Redis. Every call is bounded by {@code timeoutMs};
 * a failure or a late answer fails the future, and the caller bypasses the cache.
 */
public final class CacheStore {
  /**
   * The entry, its remaining PTTL and whether its fill lock is held, in one round trip. An absent
   * entry reads as an empty string: a Lua nil would end the reply array early.
   */
  private static final Script LOOKUP = new Script("""
    local v = redis.call('GET', KEYS[1])
    local held = redis.call('EXISTS', KEYS[2])
    if not v then return {'', -2, held} end
    return {v, redis.call('PTTL', KEYS[1]), held}
    """);
  /** Releases a fill lock only if we still own it: one that expired and was taken again is not ours to drop. */
  private static final Script UNLOCK = new Script("""
    if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
    return 0
    """);
  /** How much of an entry a purge by prefix reads: its path comes first. */
  private static final int PATH_HEAD_BYTES = 4 + 4096;
  private static final int SCAN_COUNT = 500;

  private final Function<Request, Future<Response>> send;
  private final long timeoutMs;

  public CacheStore(Function<Request, Future<Response>> send, long timeoutMs) {
    this.send = send;
    this.timeoutMs = timeoutMs;
  }

  /** @return the entry with its age on Redis's clock, or null when there is none */
  public Future<Found> lookup(CacheKey key) {
    return bounded(LOOKUP.run(send, 2, key.entryKey(), key.lockKey())).map(reply -> {
      Buffer value = reply.get(0).toBuffer();
      boolean fillUnderWay = reply.get(2).toLong() == 1;
      if (value.length() == 0) {
        return fillUnderWay ? new Found(null, 0, true) : null;
      }
      CachedEntry entry = CachedEntry.decode(value);
      long pttl = reply.get(1).toLong();
      long inRedisMs = pttl < 0 ? entry.lifetimeMs() : Math.max(0, entry.lifetimeMs() - pttl);
      return new Found(entry, entry.initialAgeMs() + inRedisMs, fillUnderWay);
    });
  }

  /** Writes the entry with its lifetime as the key's PX: Redis forgets it when no stale use is left. */
  public Future<Void> store(CacheKey key, CachedEntry entry) {
    return bounded(send.apply(Request.cmd(Command.SET).arg(key.entryKey()).arg(entry.encode())
      .arg("PX").arg(Math.max(1, entry.lifetimeMs())))).mapEmpty();
  }

  /** {@code SET lock owner NX PX ttl}: true when this caller is the one to fill the entry. */
  public Future<Boolean> tryLock(CacheKey key, String owner, long ttlMs) {
    return bounded(send.apply(Request.cmd(Command.SET).arg(key.lockKey()).arg(owner).arg("NX").arg("PX").arg(ttlMs)))
      .map(reply -> reply != null && "OK".equals(reply.toString()));
  }

  public Future<Void> unlock(CacheKey key, String owner) {
    return bounded(UNLOCK.run(send, 1, key.lockKey(), owner)).mapEmpty();
  }

  /**
   * Deletes the route's entries (whose path starts with {@code prefix}, when given) by walking its
   * keys with SCAN, a page at a time: slow for a huge cache, but it never blocks Redis the way
   * KEYS would. Bounded per page, not in total.
   *
   * @return how many entries were deleted
   */
  public Future<Long> purge(String route, String prefix) {
    return purgePage(route, prefix, "0", 0);
  }

  private Future<Long> purgePage(String route, String prefix, String cursor, long deleted) {
    Request scan = Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(CacheKey.entryPattern(route))
      .arg("COUNT").arg(SCAN_COUNT);
    return bounded(send.apply(scan)).compose(page -> {
      String next = page.get(0).toString();
      Response keys = page.get(1);
      Future<Long> removed = prefix == null ? deleteAll(keys) : deleteUnder(keys, prefix);
      return removed.compose(n -> "0".equals(next) ? Future.succeededFuture(deleted + n)
        : purgePage(route, prefix, next, deleted + n));
    });
  }

  private Future<Long> deleteAll(Response keys) {
    if (keys.size() == 0) {
      return Future.succeededFuture(0L);
    }
    Request del = Request.cmd(Command.DEL);
    keys.forEach(k -> del.arg(k.toString()));
    return bounded(send.apply(del)).map(Response::toLong);
  }

  private Future<Long> deleteUnder(Response keys, String prefix) {
    Future<Long> total = Future.succeededFuture(0L);
    for (Response key : keys) {
      String name = key.toString();
      total = total.compose(n -> bounded(send.apply(Request.cmd(Command.GETRANGE).arg(name).arg(0).arg(PATH_HEAD_BYTES - 1)))
        .compose(head -> {
          String path = head == null ? null : CachedEntry.pathOf(head.toBuffer());
          if (path == null || !path.startsWith(prefix)) {
            return Future.succeededFuture(n);
          }
          return bounded(send.apply(Request.cmd(Command.DEL).arg(name))).map(d -> n + d.toLong());
        }));
    }
    return total;
  }

  private <T> Future<T> bounded(Future<T> call) {
    return call.timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  /** A Lua script sent by its SHA-1, and in full only when Redis does not know it yet. */
  private record Script(String text, String sha) {
    Script(String text) {
      this(text, sha1(text));
    }

    Future<Response> run(Function<Request, Future<Response>> send, int keys, String... args) {
      return send.apply(call(Command.EVALSHA, sha, keys, args)).recover(err ->
        String.valueOf(err.getMessage()).contains("NOSCRIPT")
          ? send.apply(call(Command.EVAL, text, keys, args)) : Future.failedFuture(err));
    }

    private static Request call(Command command, String script, int keys, String... args) {
      Request request = Request.cmd(command).arg(script).arg(keys);
      for (String arg : args) {
        request.arg(arg);
      }
      return request;
    }

    private static String sha1(String text) {
      try {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("every JVM has SHA-1", e);
      }
    }
  }
}
