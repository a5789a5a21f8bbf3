package dev.sluice.gateway.proxy;

import dev.sluice.gateway.auth.AuthOutcome;
import dev.sluice.gateway.auth.Authentication;
import dev.sluice.gateway.auth.JwtOptions;
import dev.sluice.gateway.auth.RouteAuth;
import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * Who is calling, on a route with {@code auth}: 401 UNAUTHENTICATED (with {@code WWW-Authenticate} on JWT
 * routes), 403 FORBIDDEN, or 503 AUTH_UNAVAILABLE before the limiter counts anything. A caller who passes
 * becomes the limiter's identity (their consumer id or token claim, not their address), with a consumer's
 * own limit for the route; a JWT route's {@code forwardClaims} go upstream in place of any client-sent
 * copies, and {@code stripAuthorization} keeps the token from the upstream.
 */
final class AuthStage implements GatewayStage {
  private final Authentication auth;

  AuthStage(Authentication auth) {
    this.auth = auth;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    RouteAuth rules = exchange.route().config().auth();
    if (!rules.required()) {
      return exchange.proceed();
    }
    return auth.authenticate(exchange.route().config(), exchange.request()).compose(result -> {
      if (result.refusal() != null) {
        return Future.failedFuture(refusal(result.refusal()));
      }
      AuthOutcome.Decision decision = result.decision();
      exchange.caller(decision.caller());
      exchange.client(decision.identity());
      exchange.ownLimit(decision.limit());
      JwtOptions jwt = rules.jwt();
      if (jwt != null && (jwt.stripAuthorization() || !jwt.forwardClaims().isEmpty())) {
        exchange.upstreamHeaders(headers -> rewrite(headers, jwt, decision.claims()));
      }
      return exchange.proceed();
    });
  }

  /** Client-sent copies of the claim headers never pass, whether or not the token has the claim. */
  private static void rewrite(MultiMap headers, JwtOptions jwt, JsonObject claims) {
    if (jwt.stripAuthorization()) {
      headers.remove(HttpHeaders.AUTHORIZATION);
    }
    for (Map.Entry<String, String> forward : jwt.forwardClaims().entrySet()) {
      headers.remove(forward.getKey());
      Object value = claims == null ? null : claims.getValue(forward.getValue());
      if (value instanceof JsonArray array) {
        headers.set(forward.getKey(), String.join(" ", array.stream().map(String::valueOf).toList()));
      } else if (value != null && !(value instanceof JsonObject)) {
        headers.set(forward.getKey(), String.valueOf(value));
      }
    }
  }

  private static GatewayException refusal(Authentication.Refusal refusal) {
    GatewayError error = switch (refusal.kind()) {
      case UNAUTHENTICATED -> GatewayError.UNAUTHENTICATED;
      case FORBIDDEN -> GatewayError.FORBIDDEN;
      case UNAVAILABLE -> GatewayError.AUTH_UNAVAILABLE;
    };
    return GatewayException.challenge(error, refusal.message(), refusal.challenge());
  }
}
