package dev.sluice.gateway.auth;

import java.util.List;
import java.util.Set;

/**
 * Who may call a route: {@code auth} (none, {@code apiKey}, {@code jwt} or a list of them, any one
 * suffices), the {@code apiKey} and {@code jwt} sections, and {@code identity}.
 *
 * @param methods       empty for {@code auth: none}
 * @param consumers     for {@code apiKey}: the only consumers allowed (403 for the others); empty for every consumer
 * @param jwt           null unless {@code methods} holds {@link AuthMethod#JWT}
 * @param identityClaim the JWT claim the limiter counts a token's caller by ({@code identity: jwt:<claim>})
 */
public record RouteAuth(List<AuthMethod> methods, Set<String> consumers, JwtOptions jwt, String identityClaim) {
  public static final String DEFAULT_IDENTITY_CLAIM = "sub";
  public static final RouteAuth NONE = new RouteAuth(List.of(), Set.of(), null, DEFAULT_IDENTITY_CLAIM);

  public RouteAuth {
    methods = List.copyOf(methods);
    consumers = Set.copyOf(consumers);
  }

  public boolean required() {
    return !methods.isEmpty();
  }

  public boolean allows(AuthMethod method) {
    return methods.contains(method);
  }
}
