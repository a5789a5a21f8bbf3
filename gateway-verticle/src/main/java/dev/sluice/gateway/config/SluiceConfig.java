package dev.sluice.gateway.config;

import dev.sluice.gateway.auth.AuthOptions;
import dev.sluice.gateway.client.ClientsOptions;
import java.util.List;

/** The whole, validated node configuration. Build it with {@link ConfigParser#parse}. */
public record SluiceConfig(HttpOptions http, AdminOptions admin, RedisOptions redis, ClientsOptions clients,
                           LogOptions log, RoutePolicy defaults, List<RouteConfig> routes, AuthOptions auth,
                           TracingOptions tracing) {
  public SluiceConfig {
    routes = List.copyOf(routes);
    auth = auth == null ? AuthOptions.DEFAULT : auth;
    tracing = tracing == null ? TracingOptions.OFF : tracing;
  }

  /** A config with tracing off. */
  public SluiceConfig(HttpOptions http, AdminOptions admin, RedisOptions redis, ClientsOptions clients,
                      LogOptions log, RoutePolicy defaults, List<RouteConfig> routes, AuthOptions auth) {
    this(http, admin, redis, clients, log, defaults, routes, auth, TracingOptions.OFF);
  }

  /** A config with the default {@code auth} section and tracing off. */
  public SluiceConfig(HttpOptions http, AdminOptions admin, RedisOptions redis, ClientsOptions clients,
                      LogOptions log, RoutePolicy defaults, List<RouteConfig> routes) {
    this(http, admin, redis, clients, log, defaults, routes, AuthOptions.DEFAULT, TracingOptions.OFF);
  }
}
