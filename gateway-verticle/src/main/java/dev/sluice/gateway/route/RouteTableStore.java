package dev.sluice.gateway.route;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;

import java.util.function.LongSupplier;

/**
 * The cluster's last accepted route table, in the cluster-wide map {@link #MAP} under one key, as
 * the very JSON {@link RouteReload#ADDRESS} carries. An instance that starts, on a node that joins
 * later or restarts, reads it before it takes traffic; without a cluster the map is the node's own.
 * <p>
 * Versions only grow: a table is stored as {@code max(now, stored + 1)} (epoch ms) with a
 * compare-and-set, so two admins writing at once get two versions and the later write wins, an
 * older table never replaces a newer one whatever the clocks say, and a table stored after the map
 * was lost (every member that held it gone) is still newer than one an instance kept serving.
 */
public final class RouteTableStore {
  public static final String MAP = "sluice.routes";
  static final String KEY = "table";
  /** Concurrent writers are admins answering a person; a handful of rounds settles any real race. */
  private static final int MAX_ROUNDS = 8;

  private final Vertx vertx;
  private final LongSupplier clock;
  private Future<AsyncMap<String, JsonObject>> map;

  public RouteTableStore(Vertx vertx, LongSupplier clock) {
    this.vertx = vertx;
    this.clock = clock;
  }

  public RouteTableStore(Vertx vertx) {
    this(vertx, System::currentTimeMillis);
  }

  /** The stored table as stored (not validated: each reader checks it against its own defaults), or null. */
  public Future<JsonObject> latest() {
    return map().compose(m -> m.get(KEY));
  }

  /** Stores {@code reload} as the newest table; completes with the version it was given. */
  public Future<RouteReload> save(RouteReload reload) {
    return map().compose(m -> save(m, reload, MAX_ROUNDS));
  }

  private Future<RouteReload> save(AsyncMap<String, JsonObject> m, RouteReload reload, int roundsLeft) {
    return m.get(KEY).compose(stored -> {
      RouteReload versioned = reload.withVersion(nextVersion(stored));
      JsonObject json = versioned.toJson();
      Future<Boolean> written = stored == null
        ? m.putIfAbsent(KEY, json).map(previous -> previous == null)
        : m.replaceIfPresent(KEY, stored, json);
      return written.compose(won -> {
        if (won) {
          return Future.succeededFuture(versioned);
        }
        if (roundsLeft <= 1) {
          return Future.failedFuture(new IllegalStateException(
            "the route table in " + MAP + " kept changing under this write; nothing stored"));
        }
        return save(m, reload, roundsLeft - 1);
      });
    });
  }

  private long nextVersion(JsonObject stored) {
    long newest = stored == null ? RouteReload.FILE_VERSION : RouteReload.versionOf(stored);
    return Math.max(clock.getAsLong(), newest + 1);
  }

  private Future<AsyncMap<String, JsonObject>> map() {
    if (map == null || map.failed()) {
      map = vertx.sharedData().getAsyncMap(MAP);
    }
    return map;
  }
}
