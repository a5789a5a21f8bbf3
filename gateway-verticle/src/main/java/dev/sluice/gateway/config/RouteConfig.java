package dev.sluice.gateway.config;

import java.net.URI;

/**
 * One entry of the route table, with {@code defaults} already merged into {@code policy}.
 *
 * @param upstream absolute http(s) URL; its path (if any) is prepended to the forwarded path
 */
public record RouteConfig(String name, String prefix, URI upstream, boolean stripPrefix, RoutePolicy policy) {
}
