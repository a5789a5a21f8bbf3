package dev.sluice.gateway.auth;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Consumers and their keys in Redis ({@link ConsumerKeys}): the one implementation of what the admin writes
 * and the gateway reads. The two keys of a consumer's key live in different slots (the contract names them
 * without a hash tag), so no write spans both atomically; instead they are ordered so that a half-done write
 * never lets a key in: a key's hash field is written before its lookup key and removed after it, and
 * {@link #lookup} accepts a key only when both agree.
 *
 * <p>Not thread-safe (it holds a {@link KeyDigest}); one per verticle instance.
 */
public final class ConsumerStore {
  /** Bounds {@link #list}: an admin page, not an export. */
  public static final int MAX_LISTED = 1000;

  private final Function<Request, Future<Response>> redis;
  private final KeyDigest digests = new KeyDigest();
  private final SecureRandom random;
  private final LongSupplier wallClockMs;

  /** @param redis sends one command (a pooled client's {@code send}, or a pipelined connection's) */
  public ConsumerStore(Function<Request, Future<Response>> redis, SecureRandom random, LongSupplier wallClockMs) {
    this.redis = redis;
    this.random = random;
    this.wallClockMs = wallClockMs;
  }

  /** A consumer and the one key made with it: the key is in this answer and nowhere else, ever. */
  public record Issued(Consumer consumer, String key, String digest) {
  }

  public static final class ConsumerExistsException extends RuntimeException {
    ConsumerExistsException(String id) {
      super("consumer '" + id + "' already exists", null, false, false);
    }
  }

  /**
   * The consumer {@code id} (or null for the key's digest), or empty when it does not exist or {@code digest}
   * is not one of its keys any more.
   */
  public Future<Optional<Consumer>> lookup(String digest) {
    return redis.apply(Request.cmd(Command.GET).arg(ConsumerKeys.apiKey(digest))).compose(id -> id == null
      ? Future.succeededFuture(Optional.<Consumer>empty())
      : get(id.toString()).map(c -> c.filter(consumer -> consumer.keyDigests().contains(digest))));
  }

  public Future<Optional<Consumer>> get(String id) {
    return redis.apply(Request.cmd(Command.HGETALL).arg(ConsumerKeys.consumer(id)))
      .map(fields -> fromHash(id, pairs(fields)));
  }

  /** Creates {@code id} with {@code limits} and a first key. Fails with {@link ConsumerExistsException}. */
  public Future<Issued> create(String id, Map<String, RateLimitPolicy> limits) {
    String hash = ConsumerKeys.consumer(id);
    long now = wallClockMs.getAsLong();
    return redis.apply(Request.cmd(Command.HSETNX).arg(hash).arg(ConsumerKeys.FIELD_ID).arg(id))
      .compose(set -> set != null && set.toLong() == 1
        ? redis.apply(Request.cmd(Command.HSET).arg(hash)
            .arg(ConsumerKeys.FIELD_CREATED).arg(now)
            .arg(ConsumerKeys.FIELD_LIMITS).arg(Consumer.limitsJson(limits).encode()))
        : Future.failedFuture(new ConsumerExistsException(id)))
      .compose(v -> addKey(id, hash))
      .compose(issued -> get(id).map(c -> new Issued(c.orElseThrow(), issued.key(), issued.digest())));
  }

  /** A new key for an existing consumer; empty when there is no such consumer. */
  public Future<Optional<Issued>> newKey(String id) {
    String hash = ConsumerKeys.consumer(id);
    return redis.apply(Request.cmd(Command.HEXISTS).arg(hash).arg(ConsumerKeys.FIELD_ID)).compose(exists ->
      exists == null || exists.toLong() == 0 ? Future.succeededFuture(Optional.<Issued>empty())
        : addKey(id, hash).compose(issued -> get(id)
            .map(c -> Optional.of(new Issued(c.orElseThrow(), issued.key(), issued.digest())))));
  }

  private Future<Issued> addKey(String id, String hash) {
    String key = KeyDigest.newKey(random);
    String digest = digests.of(key);
    // The hash field first, the lookup key second: a lookup accepts a key only once both are there.
    return redis.apply(Request.cmd(Command.HSET).arg(hash).arg(ConsumerKeys.KEY_FIELD_PREFIX + digest)
        .arg(wallClockMs.getAsLong()))
      .compose(v -> redis.apply(Request.cmd(Command.SET).arg(ConsumerKeys.apiKey(digest)).arg(id)))
      .map(v -> new Issued(null, key, digest));
  }

  /** What a revocation matched. */
  public enum Revoked { REVOKED, NO_CONSUMER, NO_KEY, AMBIGUOUS }

  public record Revocation(Revoked outcome, List<String> digests) {
  }

  /** Revokes the one key of {@code id} whose digest starts with {@code digestPrefix}. */
  public Future<Revocation> revokeKey(String id, String digestPrefix) {
    return get(id).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(new Revocation(Revoked.NO_CONSUMER, List.of()));
      }
      List<String> matching = found.get().keyDigests().stream().filter(d -> d.startsWith(digestPrefix)).toList();
      if (matching.size() != 1) {
        return Future.succeededFuture(new Revocation(matching.isEmpty() ? Revoked.NO_KEY : Revoked.AMBIGUOUS, List.of()));
      }
      String digest = matching.get(0);
      // The lookup key first: from then on no node that asks Redis accepts the key.
      return redis.apply(Request.cmd(Command.DEL).arg(ConsumerKeys.apiKey(digest)))
        .compose(v -> redis.apply(Request.cmd(Command.HDEL).arg(ConsumerKeys.consumer(id))
          .arg(ConsumerKeys.KEY_FIELD_PREFIX + digest)))
        .map(v -> new Revocation(Revoked.REVOKED, matching));
    });
  }

  /** Deletes {@code id} and every key of it; the revocation lists the keys' digests. */
  public Future<Revocation> delete(String id) {
    return get(id).compose(found -> {
      if (found.isEmpty()) {
        return Future.succeededFuture(new Revocation(Revoked.NO_CONSUMER, List.of()));
      }
      List<String> keys = found.get().keyDigests();
      // One DEL per lookup key: they hash to different slots, and a multi-key DEL fails on a Redis Cluster.
      Future<?> lookups = Future.all(keys.stream()
        .map(d -> redis.apply(Request.cmd(Command.DEL).arg(ConsumerKeys.apiKey(d)))).toList());
      return lookups.compose(v -> redis.apply(Request.cmd(Command.DEL).arg(ConsumerKeys.consumer(id))))
        .map(v -> new Revocation(Revoked.REVOKED, keys));
    });
  }

  /** Up to {@link #MAX_LISTED} consumers, by SCAN (never KEYS) of one Redis server. */
  public Future<List<Consumer>> list() {
    return scan("0", new ArrayList<>(), 0).compose(ids -> Future.all(ids.stream().map(this::get).toList())
      .map(all -> all.<Optional<Consumer>>list().stream().flatMap(Optional::stream)
        .sorted((a, b) -> a.id().compareTo(b.id())).toList()));
  }

  private static final int SCAN_ROUNDS = 1000;

  private Future<List<String>> scan(String cursor, List<String> ids, int round) {
    return redis.apply(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(ConsumerKeys.CONSUMER_PREFIX + "*")
        .arg("COUNT").arg(500))
      .compose(page -> {
        for (Response key : page.get(1)) {
          if (ids.size() < MAX_LISTED) {
            ids.add(key.toString().substring(ConsumerKeys.CONSUMER_PREFIX.length()));
          }
        }
        String next = page.get(0).toString();
        return "0".equals(next) || ids.size() >= MAX_LISTED || round >= SCAN_ROUNDS
          ? Future.succeededFuture(ids) : scan(next, ids, round + 1);
      });
  }

  /** HGETALL's answer as field → value (vertx-redis-client reads RESP2's flat list and RESP3's map alike). */
  private static Map<String, String> pairs(Response response) {
    Map<String, String> fields = new LinkedHashMap<>();
    if (response != null && response.size() > 0) {
      response.getKeys().forEach(k -> fields.put(k, response.get(k).toString()));
    }
    return fields;
  }

  private static Optional<Consumer> fromHash(String id, Map<String, String> fields) {
    if (!id.equals(fields.get(ConsumerKeys.FIELD_ID))) {
      return Optional.empty();
    }
    List<String> digests = new ArrayList<>();
    fields.keySet().stream().filter(f -> f.startsWith(ConsumerKeys.KEY_FIELD_PREFIX))
      .forEach(f -> digests.add(f.substring(ConsumerKeys.KEY_FIELD_PREFIX.length())));
    Map<String, RateLimitPolicy> limits;
    try {
      String stored = fields.get(ConsumerKeys.FIELD_LIMITS);
      limits = Consumer.limitsFromJson(stored == null ? null : new JsonObject(stored));
    } catch (RuntimeException malformed) {
      // Written by hand? A consumer with unreadable limits gets the routes' own, not an outage.
      limits = Map.of();
    }
    String created = fields.get(ConsumerKeys.FIELD_CREATED);
    return Optional.of(new Consumer(id, limits, digests, created == null ? 0 : parseLong(created)));
  }

  private static long parseLong(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
