package dev.sluice.gateway.auth;

import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.config.RedisOptions;
import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.redis.RedisUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Redis;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Decides who a request to a route with {@code auth} comes from, by the route's methods in order (any one
 * suffices): the caller, the limiter's identity for them ({@code consumer:<id>} or {@code jwt:<claim>}) and a
 * consumer's own limit for the route. A valid caller the route does not allow is {@link Refusal.Kind#FORBIDDEN};
 * with no valid credential, a credential that could not be checked makes the answer
 * {@link Refusal.Kind#UNAVAILABLE} (never a pass), otherwise {@link Refusal.Kind#UNAUTHENTICATED}.
 *
 * <p>One per verticle instance: its Redis client, JWKS client, caches and bus registration are that instance's.
 */
public final class Authentication {
  private static final String BEARER = "bearer ";
  private static final String INVALID_TOKEN = "Bearer error=\"invalid_token\"";
  private static final long MIN_LOOKUP_TIMEOUT_MS = 200;

  private final Vertx vertx;
  private final AuthOptions options;
  private final Redis redis;
  private final HttpClient jwksClient;
  private final ApiKeyAuthenticator apiKeys;
  private final Map<JwtOptions, JwtVerifier> verifiers = new HashMap<>();
  private final LongSupplier nanoClock = System::nanoTime;

  /** Why a request does not pass. Messages hold no credential. */
  public record Refusal(Kind kind, String message, String challenge) {
    public enum Kind { UNAUTHENTICATED, FORBIDDEN, UNAVAILABLE }
  }

  /** Either a decision or a refusal. */
  public record Result(AuthOutcome.Decision decision, Refusal refusal) {
  }

  public Authentication(Vertx vertx, AuthOptions options, RedisOptions redisOptions) {
    this.vertx = vertx;
    this.options = options;
    this.redis = Redis.createClient(vertx, RedisUrl.toClientOptions(redisOptions.url()));
    this.jwksClient = JwksKeys.client(vertx);
    ConsumerStore store = new ConsumerStore(redis::send, new SecureRandom(), System::currentTimeMillis);
    this.apiKeys = new ApiKeyAuthenticator(vertx, store, options,
      Math.max(MIN_LOOKUP_TIMEOUT_MS, redisOptions.timeoutMs()), nanoClock);
  }

  /** Hears revocations, and fetches the key sets of {@code routes} (a JWKS that is down delays nothing). */
  public Future<Void> start(List<RouteConfig> routes) {
    return apiKeys.start().compose(v -> warm(routes));
  }

  /** After a reload: key sets for routes that are new. */
  public Future<Void> warm(List<RouteConfig> routes) {
    return Future.all(routes.stream().filter(r -> r.auth().jwt() != null)
      .map(r -> verifier(r.auth().jwt()).warm()).toList()).mapEmpty();
  }

  public Future<Void> close() {
    return Future.join(apiKeys.stop(), jwksClient.close(), redis.close().recover(e -> Future.succeededFuture()))
      .mapEmpty();
  }

  private JwtVerifier verifier(JwtOptions jwt) {
    return verifiers.computeIfAbsent(jwt, o -> new JwtVerifier(vertx, jwksClient, o, options.cacheEntries(), nanoClock,
      System::currentTimeMillis));
  }

  public Future<Result> authenticate(RouteConfig route, HttpServerRequest request) {
    RouteAuth auth = route.auth();
    return attempt(route, auth, request, 0, new Seen());
  }

  /** What the methods tried so far found. */
  private static final class Seen {
    Refusal forbidden;
    boolean unavailable;
    boolean sentAny;
  }

  private Future<Result> attempt(RouteConfig route, RouteAuth auth, HttpServerRequest request, int index, Seen seen) {
    if (index == auth.methods().size()) {
      return Future.succeededFuture(new Result(null, refusal(auth, seen)));
    }
    AuthMethod method = auth.methods().get(index);
    Future<AuthOutcome> outcome = method == AuthMethod.API_KEY
      ? apiKeys.authenticate(request.getHeader(options.apiKeyHeader()))
      : verifier(auth.jwt()).verify(bearer(request));
    return outcome.compose(found -> {
      if (!(found instanceof AuthOutcome.Missing)) {
        seen.sentAny = true;
      }
      if (found instanceof AuthOutcome.Verified verified) {
        Refusal forbidden = method == AuthMethod.API_KEY ? consumerRule(auth, verified.consumer())
          : scopeRule(auth.jwt(), verified.claims());
        if (forbidden == null) {
          AuthOutcome.Decision decision = method == AuthMethod.API_KEY ? consumerDecision(route, verified.consumer())
            : tokenDecision(auth, verified.claims());
          if (decision != null) {
            return Future.succeededFuture(new Result(decision, null));
          }
        } else {
          seen.forbidden = seen.forbidden == null ? forbidden : seen.forbidden;
        }
      } else if (found instanceof AuthOutcome.Unavailable) {
        seen.unavailable = true;
      }
      return attempt(route, auth, request, index + 1, seen);
    });
  }

  private Refusal refusal(RouteAuth auth, Seen seen) {
    if (seen.forbidden != null) {
      return seen.forbidden;
    }
    if (seen.unavailable) {
      return new Refusal(Refusal.Kind.UNAVAILABLE, "credentials cannot be checked right now; try again shortly", null);
    }
    // DESIGN.md: every 401 of a route that takes tokens carries the same challenge, token sent or not.
    String challenge = auth.allows(AuthMethod.JWT) ? INVALID_TOKEN : null;
    String message = !seen.sentAny ? "this route needs " + wanted(auth)
      : "credentials not accepted: " + wanted(auth) + " required";
    return new Refusal(Refusal.Kind.UNAUTHENTICATED, message, challenge);
  }

  private String wanted(RouteAuth auth) {
    return String.join(" or ", auth.methods().stream().map(m -> m == AuthMethod.API_KEY
      ? "an API key in " + options.apiKeyHeader() : "Authorization: Bearer <token>").toList());
  }

  private static Refusal consumerRule(RouteAuth auth, Consumer consumer) {
    return auth.consumers().isEmpty() || auth.consumers().contains(consumer.id()) ? null
      : new Refusal(Refusal.Kind.FORBIDDEN, "consumer '" + consumer.id() + "' may not call this route", null);
  }

  /** Every required scope in {@code scope} (space-separated) or {@code scp} (a list or a string). */
  private static Refusal scopeRule(JwtOptions jwt, JsonObject claims) {
    if (jwt.scopes().isEmpty()) {
      return null;
    }
    java.util.Set<String> granted = new java.util.HashSet<>();
    for (String claim : List.of("scope", "scp")) {
      Object value = claims.getValue(claim);
      if (value instanceof String s) {
        granted.addAll(List.of(s.trim().split("\\s+")));
      } else if (value instanceof JsonArray array) {
        array.forEach(v -> granted.add(String.valueOf(v)));
      }
    }
    return granted.containsAll(jwt.scopes()) ? null
      : new Refusal(Refusal.Kind.FORBIDDEN, "token lacks scope " + String.join(" ", jwt.scopes()),
          "Bearer error=\"insufficient_scope\", scope=\"" + String.join(" ", jwt.scopes()) + "\"");
  }

  private static AuthOutcome.Decision consumerDecision(RouteConfig route, Consumer consumer) {
    RateLimitPolicy own = consumer.limitFor(route.name());
    return new AuthOutcome.Decision(new AuthOutcome.Caller("consumer", consumer.id()), "consumer:" + consumer.id(),
      own, null);
  }

  /** @return null when the token lacks the identity claim: a caller the limiter cannot count is nobody */
  private static AuthOutcome.Decision tokenDecision(RouteAuth auth, JsonObject claims) {
    Object identity = claims.getValue(auth.identityClaim());
    if (identity == null || identity instanceof JsonObject || identity instanceof JsonArray) {
      return null;
    }
    Object sub = claims.getValue("sub");
    return new AuthOutcome.Decision(new AuthOutcome.Caller("sub", sub == null ? null : String.valueOf(sub)),
      "jwt:" + identity, null, claims);
  }

  /** The token of {@code Authorization: Bearer <token>}, or null. */
  private static String bearer(HttpServerRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    return header.substring(BEARER.length()).trim();
  }
}
