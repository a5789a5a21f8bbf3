package dev.sluice.gateway.config;

import dev.sluice.gateway.auth.AuthMethod;
import dev.sluice.gateway.auth.AuthOptions;
import dev.sluice.gateway.auth.JwtOptions;
import dev.sluice.gateway.auth.RouteAuth;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * Authentication written back in the file's layout, for {@link ConfigJson}. A route without auth gets no
 * auth keys at all, so route tables written before auth existed read the same. Holds no secret: a route's
 * keys are public ones.
 */
final class AuthJson {
  private AuthJson() {
  }

  static JsonObject toJson(AuthOptions auth) {
    return new JsonObject().put("apiKeyHeader", auth.apiKeyHeader()).put("cacheSeconds", auth.cacheSeconds())
      .put("cacheEntries", auth.cacheEntries());
  }

  /** The route's {@code auth}, {@code apiKey}, {@code jwt} and {@code identity} keys, merged into {@code route}. */
  static JsonObject mergeInto(JsonObject route, RouteAuth auth) {
    if (!auth.required()) {
      return route;
    }
    JsonArray methods = new JsonArray();
    auth.methods().forEach(m -> methods.add(m.text()));
    route.put("auth", methods);
    if (auth.allows(AuthMethod.API_KEY) && !auth.consumers().isEmpty()) {
      route.put("apiKey", new JsonObject().put("consumers", new JsonArray(sorted(auth.consumers()))));
    }
    if (auth.jwt() != null) {
      route.put("jwt", toJson(auth.jwt()));
      route.put("identity", AuthReader.IDENTITY_JWT + auth.identityClaim());
    }
    return route;
  }

  private static JsonObject toJson(JwtOptions jwt) {
    JsonObject json = new JsonObject();
    if (jwt.jwksUrl() != null) {
      json.put("jwksUrl", jwt.jwksUrl().toString());
    } else {
      json.put("publicKey", jwt.publicKey());
    }
    if (jwt.issuer() != null) {
      json.put("issuer", jwt.issuer());
    }
    JsonObject claims = new JsonObject();
    jwt.forwardClaims().entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
      .forEach(e -> claims.put(e.getKey(), e.getValue()));
    return json.put("audience", new JsonArray(new ArrayList<>(jwt.audience())))
      .put("algorithms", new JsonArray(new ArrayList<>(jwt.algorithms())))
      .put("leewaySeconds", jwt.leewaySeconds())
      .put("jwksMinRefreshSeconds", jwt.jwksMinRefreshSeconds())
      .put("scopes", new JsonArray(new ArrayList<>(jwt.scopes())))
      .put("forwardClaims", claims)
      .put("stripAuthorization", jwt.stripAuthorization());
  }

  private static List<String> sorted(java.util.Collection<String> values) {
    return values.stream().sorted().collect(java.util.stream.Collectors.toCollection(ArrayList::new));
  }
}
