package dev.sluice.admin.bridge;

import dev.sluice.admin.command.AdminCommand;
import dev.sluice.gateway.circuit.CircuitEvent;
import dev.sluice.gateway.route.RouteReload;
import dev.sluice.gateway.stats.NodeStats;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.bridge.PermittedOptions;

import java.util.List;

/**
 * The one list of what crosses a bridge, for the SockJS and the TCP bridge alike. Outbound (the
 * bus to clients): what an operator watches. Inbound: only operators' commands, and those only
 * with the token ({@link BridgeGuard}). Exact addresses, never patterns: an address added to the
 * bus later stays inside until it is named here.
 */
public final class BridgePermissions {
  /** Upstream target ejections; not published yet (the targets work is to come), permitted already. */
  public static final String TARGET_EVENTS = "sluice.targets.events";

  public static final List<String> OUTBOUND = List.of(CircuitEvent.ADDRESS, TARGET_EVENTS, NodeStats.ADDRESS,
    RouteReload.ADDRESS);
  public static final List<String> INBOUND = List.of(AdminCommand.ADDRESS);

  private BridgePermissions() {
  }

  public static <T extends BridgeOptions> T applyTo(T options) {
    OUTBOUND.forEach(address -> options.addOutboundPermitted(new PermittedOptions().setAddress(address)));
    INBOUND.forEach(address -> options.addInboundPermitted(new PermittedOptions().setAddress(address)));
    return options;
  }
}
