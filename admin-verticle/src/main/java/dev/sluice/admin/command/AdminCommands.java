package dev.sluice.admin.command;

import dev.sluice.gateway.circuit.CircuitBus;
import dev.sluice.gateway.config.ConfigException;
import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.route.RouteReload;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Optional;
import java.util.UUID;

/**
 * What an operator may change, in one place: a circuit forced open or reset, a new route table.
 * The admin HTTP writes ({@code POST /__circuit/<route>/reset|open}, {@code PUT /__routes}) and
 * {@link AdminCommand}s from the event bus (and so from the bridges) both run these, so they cannot
 * drift apart. Who may ask is checked before (the token, {@link AdminToken}); every failure is a
 * {@link CommandFailure} and changes nothing.
 */
public final class AdminCommands {
  private final CircuitBus bus;
  private final AdminRouteTable routes;
  /** Stands for "the admin" as the deciding instance of an order's event. */
  private final String adminId = "admin-" + UUID.randomUUID();

  public AdminCommands(CircuitBus bus, AdminRouteTable routes) {
    this.bus = bus;
    this.routes = routes;
  }

  public Future<JsonObject> run(AdminCommand command) {
    return switch (command.action()) {
      case RESET -> circuit(command.route(), CircuitBreakerState.CLOSED);
      case OPEN -> circuit(command.route(), CircuitBreakerState.OPEN);
      case RELOAD -> reload(new JsonObject().put("routes", command.routes()));
    };
  }

  /**
   * An order for a route's circuit, decided by the same state machine the gateways run
   * ({@link CircuitBus#order}) and published as the event every instance already follows.
   *
   * @return {@code {route, state, version, reason}}
   */
  public Future<JsonObject> circuit(String name, CircuitBreakerState to) {
    Optional<RouteConfig> route = routes.route(name);
    if (route.isEmpty()) {
      return Future.failedFuture(new CommandFailure(404, "NO_SUCH_ROUTE", "no route named '" + name + "'"));
    }
    String reason = "admin " + (to == CircuitBreakerState.OPEN ? "open" : "reset");
    return bus.order(name, to, route.get().policy().circuit().resetTimeoutMs(), adminId, "admin", reason)
      .recover(err -> Future.failedFuture(new CommandFailure(503, "CLUSTER_UNAVAILABLE", String.valueOf(err.getMessage()))))
      .map(event -> new JsonObject().put("route", name).put("state", event.state().name())
        .put("version", event.version()).put("reason", reason));
  }

  /**
   * A new route table, validated exactly like the config file: a bad one changes nothing, a good
   * one becomes the cluster's newest.
   *
   * @param body {@code {"routes": [...]}}
   * @return the table as published: {@code {version, routes}}
   */
  public Future<JsonObject> reload(JsonObject body) {
    if (body == null || !(body.getValue("routes") instanceof JsonArray)) {
      return Future.failedFuture(invalid(new JsonArray().add("routes: must be a list of routes")));
    }
    RouteReload reload;
    try {
      reload = RouteReload.fromJson(body, routes.defaults());
    } catch (ConfigException e) {
      return Future.failedFuture(invalid(new JsonArray(e.problems())));
    }
    return routes.save(reload).map(RouteReload::toJson);
  }

  public static CommandFailure invalid(JsonArray problems) {
    return new CommandFailure(400, "INVALID_ROUTES", "the route table does not validate; nothing changed", problems);
  }
}
