package dev.sluice.admin.command;

import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.config.RoutePolicy;
import dev.sluice.gateway.route.RouteReload;
import dev.sluice.gateway.route.RouteTableStore;
import dev.sluice.gateway.route.RouteTableSync;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.Optional;

/**
 * The route table as this node's admin sees it: it follows the gateways' own rule
 * ({@link RouteTableSync}: the stored table at start, then every reload that is not older,
 * validated against this node's defaults), so it is what this node's gateways route by, and it is
 * what the admin's commands act on and its pages show.
 */
public final class AdminRouteTable {
  private final Vertx vertx;
  private final RoutePolicy defaults;
  private final RouteTableStore store;
  private final RouteTableSync sync;
  private volatile List<RouteConfig> routes;

  public AdminRouteTable(Vertx vertx, RoutePolicy defaults, List<RouteConfig> routes) {
    this.vertx = vertx;
    this.defaults = defaults;
    this.routes = routes;
    this.store = new RouteTableStore(vertx);
    this.sync = new RouteTableSync(vertx, defaults, reload -> {
      this.routes = reload.routes();
      return Future.succeededFuture();
    });
  }

  public Future<Void> start() {
    return sync.start();
  }

  public Future<Void> stop() {
    return sync.stop();
  }

  public List<RouteConfig> current() {
    return routes;
  }

  /** The route names of the table in place, in order. */
  public Set<String> names() {
    Set<String> names = new LinkedHashSet<>();
    current().forEach(r -> names.add(r.name()));
    return names;
  }

  public Optional<RouteConfig> route(String name) {
    return routes.stream().filter(r -> r.name().equals(name)).findFirst();
  }

  /** 0 while the table is the config file's. */
  public long version() {
    return sync.version();
  }

  RoutePolicy defaults() {
    return defaults;
  }

  /**
   * Stores a validated table as the cluster's newest, then publishes it for every instance of
   * every node. Stored first: a node that starts between the two steps must not miss a table it
   * was never sent.
   *
   * @return the table as published (with the version the store gave it)
   */
  Future<RouteReload> save(RouteReload reload) {
    return store.save(reload)
      .recover(err -> Future.failedFuture(new CommandFailure(503, "ROUTES_NOT_STORED",
        "the route table could not be stored in " + RouteTableStore.MAP + " (" + err.getMessage() + "); nothing changed")))
      .onSuccess(saved -> {
        sync.offer(saved);
        vertx.eventBus().publish(RouteReload.ADDRESS, saved.toJson());
      });
  }
}
