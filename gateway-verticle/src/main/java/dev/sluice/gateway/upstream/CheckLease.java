package dev.sluice.gateway.upstream;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.AsyncMap;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;

/**
 * Which checker in the whole cluster health-checks one target: the entry {@code <route> <target>}
 * of the cluster map {@link #MAP}, whose value is {@code <holder> <beat>}. The holder renews it
 * before each check by compare-and-set (the next beat), and stands down as soon as a renewal
 * fails: someone else holds it now. Another checker takes the lease when the entry is gone (its
 * holder stopped) or when the entry has not changed for {@code staleAfterMs} on that checker's
 * own clock (its holder died, or froze); no two nodes' clocks are compared.
 *
 * <p>Not a SharedData lock, for two reasons. vertx-hazelcast's lock is Hazelcast's IMap lock,
 * owned by the worker thread that took it and re-entrant: an instance of the same node whose try
 * ran on that thread got the lock too (several checkers per node). And Hazelcast does not merge
 * locks after a split: each side's holder kept its lock, and both went on checking, for ever. A
 * map entry is merged like any other ({@code PutIfAbsent}: the larger side's holder stays), so
 * after a split heals the other side's holder stands down at its next renewal, one interval.
 */
final class CheckLease {
  static final String MAP = "sluice.health";

  private final Vertx vertx;
  private final String key;
  private final String holder;
  private final long staleAfterMs;
  private final LongSupplier clock;
  private AsyncMap<String, String> map;
  /** Our value in the map while we hold the lease; null otherwise. */
  private String held;
  private long beat;
  /** Someone else's value, and since when (our clock) it has not changed. */
  private String seen;
  private long seenSinceMs;

  /**
   * @param holder       who asks (node and instance, for operators reading the map); made unique here
   * @param staleAfterMs how long a holder's entry may stay unchanged before another takes the lease
   * @param clock        monotonic ms
   */
  CheckLease(Vertx vertx, String route, String target, String holder, long staleAfterMs, LongSupplier clock) {
    this.vertx = vertx;
    this.key = route + ' ' + target;
    // Unique per checker: a reload that replaces this target's checker on the same instance starts a new holder.
    this.holder = holder + ' ' + Long.toHexString(ThreadLocalRandom.current().nextLong());
    this.staleAfterMs = staleAfterMs;
    this.clock = clock;
  }

  boolean held() {
    return held != null;
  }

  /** Renews the lease if held, else tries to take it: true when this checker holds it for the next check. */
  Future<Boolean> renew() {
    return map().compose(m -> held != null ? keep(m) : tryTake(m));
  }

  /**
   * The fence before a verdict leaves this checker: renews by compare-and-set and answers whether
   * this checker still holds the lease. A holder that lost it while its check ran (a merge kept
   * the other side's entry, a takeover) finds out here and publishes nothing; it never tries to
   * take the lease, as {@link #renew} would.
   */
  Future<Boolean> confirm() {
    return held == null ? Future.succeededFuture(false) : map().compose(this::keep);
  }

  private Future<Boolean> keep(AsyncMap<String, String> m) {
    String next = next();
    return m.replaceIfPresent(key, held, next).map(kept -> {
      held = kept ? next : null;
      return kept;
    });
  }

  private Future<Boolean> tryTake(AsyncMap<String, String> m) {
    return m.get(key).compose(current -> {
      String next = next();
      if (current == null) {
        return m.putIfAbsent(key, next).map(previous -> took(previous == null, next));
      }
      // Our own older beat (a renewal whose answer was lost) is ours to take back at once.
      if (current.startsWith(holder + ' ') || unchangedLongEnough(current)) {
        return m.replaceIfPresent(key, current, next).map(replaced -> took(replaced, next));
      }
      return Future.succeededFuture(false);
    });
  }

  private boolean took(boolean won, String value) {
    if (won) {
      held = value;
      seen = null;
    }
    return won;
  }

  private boolean unchangedLongEnough(String current) {
    long now = clock.getAsLong();
    if (!current.equals(seen)) {
      seen = current;
      seenSinceMs = now;
      return false;
    }
    return now - seenSinceMs >= staleAfterMs;
  }

  private String next() {
    return holder + ' ' + ++beat;
  }

  /** Lets the lease go at once (a reload, a shutdown), so another checker need not wait for it to go stale. */
  Future<Void> release() {
    String value = held;
    held = null;
    if (value == null || map == null) {
      return Future.succeededFuture();
    }
    return map.removeIfPresent(key, value).mapEmpty();
  }

  private Future<AsyncMap<String, String>> map() {
    if (map != null) {
      return Future.succeededFuture(map);
    }
    return vertx.sharedData().<String, String>getAsyncMap(MAP).map(m -> map = m);
  }
}
