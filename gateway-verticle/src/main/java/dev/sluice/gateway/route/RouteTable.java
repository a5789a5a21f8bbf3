package dev.sluice.gateway.route;

import dev.sluice.gateway.config.RouteConfig;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * An immutable route table. Matching is longest prefix on a path-segment boundary, so
 * {@code /users} matches {@code /users/7} but never {@code /usersX}. A new table replaces the
 * whole object, so a request keeps the table it started with.
 */
public final class RouteTable {
  private final List<Route> byPrefixLengthDescending;

  public RouteTable(List<RouteConfig> routes) {
    this.byPrefixLengthDescending = routes.stream()
      .map(Route::new)
      .sorted(Comparator.comparingInt((Route r) -> r.prefix().length()).reversed())
      .toList();
  }

  /** @param normalizedPath a path already passed through {@link PathNormalizer} */
  public Optional<Route> match(String normalizedPath) {
    for (Route route : byPrefixLengthDescending) {
      if (route.matches(normalizedPath)) {
        return Optional.of(route);
      }
    }
    return Optional.empty();
  }

  public List<Route> routes() {
    return byPrefixLengthDescending;
  }
}
