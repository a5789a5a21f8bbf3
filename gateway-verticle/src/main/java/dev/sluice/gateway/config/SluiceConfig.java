package dev.sluice.gateway.config;

import dev.sluice.gateway.client.ClientsOptions;
import java.util.List;

/** The whole, validated node configuration. Build it with {@link ConfigParser#parse}. */
public record SluiceConfig(HttpOptions http, AdminOptions admin, RedisOptions redis, ClientsOptions clients,
                           LogOptions log, RoutePolicy defaults, List<RouteConfig> routes) {
  public SluiceConfig {
    routes = List.copyOf(routes);
  }
}
