package dev.sluice.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Checks bearer tokens for one route's {@code jwt} section with vertx-auth-jwt: signature by a key of the
 * route's set, {@code exp}/{@code nbf}/{@code iat} with the leeway, {@code iss}, {@code aud}. Before any of
 * that, the token's {@code alg} must be one the route lists: {@code none} and HMAC never are (the config
 * refuses them), so neither an unsigned token nor one "signed" with the public key as an HMAC secret gets to
 * a key. A verified token is remembered by digest until its {@code exp} (at most {@link #MAX_CACHE_SECONDS}).
 *
 * <p>One per route section per verticle instance, on its event loop.
 */
final class JwtVerifier {
  static final long MAX_CACHE_SECONDS = 300;

  private final JwtOptions options;
  private final KeySource keys;
  private final KeyDigest digests = new KeyDigest();
  private final VerifiedCache<JsonObject> verified;
  private final LongSupplier wallClockMs;

  JwtVerifier(Vertx vertx, HttpClient http, JwtOptions options, int cacheEntries, LongSupplier nanoClock,
              LongSupplier wallClockMs) {
    this.options = options;
    JWTOptions checks = new JWTOptions().setLeeway(options.leewaySeconds()).setIssuer(options.issuer())
      .setAudience(options.audience().isEmpty() ? null : options.audience());
    this.keys = options.jwksUrl() != null ? new JwksKeys(vertx, http, options, checks, nanoClock)
      : new PemKey(vertx, options, checks);
    this.verified = new VerifiedCache<>(cacheEntries, nanoClock);
    this.wallClockMs = wallClockMs;
  }

  JwtOptions options() {
    return options;
  }

  Future<Void> warm() {
    return keys.warm().<Void>mapEmpty().recover(ignored -> Future.succeededFuture());
  }

  /** @param token the bearer token, or null when the request sent none */
  Future<AuthOutcome> verify(String token) {
    if (token == null || token.isEmpty()) {
      return Future.succeededFuture(AuthOutcome.MISSING);
    }
    String digest = digests.of(token);
    JsonObject cached = verified.get(digest);
    if (cached != null) {
      return Future.succeededFuture(new AuthOutcome.Verified(null, cached));
    }
    JsonObject header = header(token);
    if (header == null) {
      return rejected("malformed token");
    }
    Object alg = header.getValue("alg");
    if (!(alg instanceof String algorithm) || !options.algorithms().contains(algorithm)) {
      return rejected("token algorithm not accepted (this route takes " + String.join(", ", options.algorithms()) + ")");
    }
    String kid = header.getValue("kid") instanceof String k ? k : null;
    return keys.forKid(kid).transform(found -> {
      if (found.failed()) {
        return Future.succeededFuture(new AuthOutcome.Unavailable("token signing keys are not available yet"));
      }
      if (!found.result().knows(kid)) {
        return rejected("token signed by an unknown key");
      }
      return found.result().auth().authenticate(new TokenCredentials(token)).transform(user -> {
        if (user.failed()) {
          return rejected(reason(user.cause()));
        }
        JsonObject claims = user.result().attributes().getJsonObject("accessToken");
        if (claims == null) {
          return rejected("malformed token");
        }
        verified.put(digest, claims, cacheNanos(claims));
        return Future.succeededFuture(new AuthOutcome.Verified(null, claims));
      });
    });
  }

  /** Until {@code exp} (plus the leeway the check allowed), bounded; tokens without {@code exp} briefly. */
  private long cacheNanos(JsonObject claims) {
    long maxMs = TimeUnit.SECONDS.toMillis(MAX_CACHE_SECONDS);
    if (!(claims.getValue("exp") instanceof Number exp)) {
      return TimeUnit.MILLISECONDS.toNanos(maxMs);
    }
    long leftMs = TimeUnit.SECONDS.toMillis(exp.longValue() + options.leewaySeconds()) - wallClockMs.getAsLong();
    return TimeUnit.MILLISECONDS.toNanos(Math.min(maxMs, leftMs));
  }

  private static JsonObject header(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0 || token.indexOf('.', dot + 1) < 0) {
      return null;
    }
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(token.substring(0, dot)), StandardCharsets.UTF_8));
    } catch (RuntimeException malformed) {
      return null;
    }
  }

  /** vertx-auth-jwt's reason in words of our own: its messages are not ours to pass on. */
  private static String reason(Throwable cause) {
    String message = String.valueOf(cause.getMessage()).toLowerCase(java.util.Locale.ROOT);
    if (message.contains("expired")) {
      return "token expired or not yet valid";
    }
    if (message.contains("audien")) {
      return "token audience not accepted";
    }
    if (message.contains("issuer")) {
      return "token issuer not accepted";
    }
    if (message.contains("signature")) {
      return "token signature invalid";
    }
    return "invalid token";
  }

  private static Future<AuthOutcome> rejected(String reason) {
    return Future.succeededFuture(new AuthOutcome.Rejected(reason));
  }
}
