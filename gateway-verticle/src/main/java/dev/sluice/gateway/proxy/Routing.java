package dev.sluice.gateway.proxy;

import dev.sluice.gateway.circuit.RouteCircuits;
import dev.sluice.gateway.route.RouteTable;
import dev.sluice.gateway.upstream.UpstreamTargets;

/**
 * The route table, its circuits and its targets, swapped together as one value when routes are reloaded: a
 * request takes the routing current when it arrives and finishes on it.
 */
public record Routing(RouteTable table, RouteCircuits circuits, UpstreamTargets targets) {
}
