package dev.sluice.gateway.route;

import dev.sluice.gateway.ClusterMerges;
import dev.sluice.gateway.config.ConfigException;
import dev.sluice.gateway.config.RoutePolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * Keeps one holder of a route table (a gateway instance, or an admin's view of what the gateways
 * serve) on the cluster's newest table. It starts on the config file's table (version 0), takes
 * the table stored in {@link RouteTableStore} before its holder takes traffic, and then every
 * reload on {@link RouteReload#ADDRESS} that is not older than the table it has. Every table is
 * validated against the holder's own defaults; one that does not validate is logged and dropped,
 * and the holder keeps what it has.
 * <p>
 * Equal versions are applied again: the same table twice is harmless, and a message without a
 * version (version 0) still reaches a holder that has only ever had its file's table.
 */
public final class RouteTableSync {
  private static final Logger LOG = LoggerFactory.getLogger(RouteTableSync.class);

  private final Vertx vertx;
  private final RoutePolicy defaults;
  private final RouteTableStore store;
  private final Function<RouteReload, Future<Void>> swap;
  private long version = RouteReload.FILE_VERSION;
  private MessageConsumer<JsonObject> consumer;
  private MessageConsumer<Object> merged;

  /**
   * @param defaults the holder's config defaults, which reloaded routes are read on top of
   * @param swap     puts a validated table in place, on the caller's context; its future (say, new
   *                 circuits catching up with the cluster) is awaited by {@link #start()} only
   */
  public RouteTableSync(Vertx vertx, RoutePolicy defaults, Function<RouteReload, Future<Void>> swap) {
    this.vertx = vertx;
    this.defaults = defaults;
    this.store = new RouteTableStore(vertx);
    this.swap = swap;
  }

  /**
   * Subscribes first, so that a reload published while the map is read is not missed, then takes
   * the stored table if it is newer than what a reload may already have brought.
   */
  public Future<Void> start() {
    consumer = subscribe();
    // A split healed: subscribe again (see CircuitSync), and take the stored table if this side
    // missed it while it was alone.
    merged = ClusterMerges.onMerged(vertx, () -> consumer.unregister()
      .transform(ar -> {
        consumer = subscribe();
        return consumer.completion();
      })
      .compose(v -> store.latest())
      .onSuccess(stored -> {
        if (stored != null) {
          startFrom(stored);
        }
      }));
    return consumer.completion()
      .compose(v -> store.latest())
      .compose(stored -> stored == null ? Future.succeededFuture() : startFrom(stored));
  }

  private MessageConsumer<JsonObject> subscribe() {
    return vertx.eventBus().consumer(RouteReload.ADDRESS, message -> received(message.body()));
  }

  public Future<Void> stop() {
    return consumer == null ? Future.succeededFuture() : Future.all(consumer.unregister(), merged.unregister()).mapEmpty();
  }

  /** The version of the table in place: 0 while it is the config file's. */
  public long version() {
    return version;
  }

  /** A table this node has just validated and stored (an admin's own write): in place at once, unless older. */
  public void offer(RouteReload reload) {
    if (reload.version() >= version) {
      apply(reload);
    }
  }

  private Future<Void> startFrom(JsonObject stored) {
    long claimed = RouteReload.versionOf(stored);
    if (claimed <= version) {
      return Future.succeededFuture(); // a reload that arrived while the map was read is at least as new
    }
    RouteReload reload;
    try {
      reload = RouteReload.fromJson(stored, defaults);
    } catch (ConfigException e) {
      LOG.warn("the cluster's route table version {} in {} does not validate on this node; keeping {}: {}",
        claimed, RouteTableStore.MAP, inPlace(), e.problems());
      return Future.succeededFuture();
    }
    LOG.info("starting with the cluster's route table version {} from {} instead of {}", claimed, RouteTableStore.MAP,
      inPlace());
    return apply(reload);
  }

  private String inPlace() {
    return version == RouteReload.FILE_VERSION ? "the config file's routes" : "route table version " + version;
  }

  private void received(JsonObject message) {
    long claimed = RouteReload.versionOf(message);
    if (claimed < version) {
      LOG.info("ignored route table version {}: already serving version {}", claimed, version);
      return;
    }
    try {
      apply(RouteReload.fromJson(message, defaults));
    } catch (ConfigException e) {
      LOG.warn("ignored a route reload (version {}) that does not validate: {}", claimed, e.problems());
    }
  }

  private Future<Void> apply(RouteReload reload) {
    Future<Void> settled = swap.apply(reload);
    version = reload.version();
    return settled;
  }
}
