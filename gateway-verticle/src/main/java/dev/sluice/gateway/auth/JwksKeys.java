package dev.sluice.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A route's signing keys from its {@code jwksUrl}, fetched by the gateway with Vert.x's HTTP client. The key
 * set is fetched at start and again only when a token names a {@code kid} the set lacks, at most once per
 * {@code jwksMinRefreshSeconds} (a flood of made-up kids costs the identity provider one request per period,
 * and requests that arrive during a fetch wait for that one). A failed fetch keeps the last good set.
 *
 * <p>One per route per verticle instance, on its event loop.
 */
final class JwksKeys implements KeySource {
  private static final Logger LOG = LoggerFactory.getLogger(JwksKeys.class);
  private static final long FETCH_TIMEOUT_MS = 5_000;
  private static final int MAX_JWKS_BYTES = 1 << 20;

  private final Vertx vertx;
  private final HttpClient http;
  private final URI url;
  private final JwtOptions options;
  private final JWTOptions checks;
  private final long minRefreshNanos;
  private final LongSupplier nanoClock;
  private KeySet current;
  private Future<KeySet> inFlight;
  private long lastFetchNanos;
  private boolean fetched;

  JwksKeys(Vertx vertx, HttpClient http, JwtOptions options, JWTOptions checks, LongSupplier nanoClock) {
    this.vertx = vertx;
    this.http = http;
    this.url = options.jwksUrl();
    this.options = options;
    this.checks = checks;
    this.minRefreshNanos = TimeUnit.SECONDS.toNanos(options.jwksMinRefreshSeconds());
    this.nanoClock = nanoClock;
  }

  static HttpClient client(Vertx vertx) {
    return vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) FETCH_TIMEOUT_MS)
      .setIdleTimeout((int) TimeUnit.MILLISECONDS.toSeconds(FETCH_TIMEOUT_MS)));
  }

  @Override
  public Future<KeySet> forKid(String kid) {
    if (current != null && current.knows(kid)) {
      return Future.succeededFuture(current);
    }
    if (inFlight != null) {
      return inFlight;
    }
    if (fetched && nanoClock.getAsLong() - lastFetchNanos < minRefreshNanos) {
      return current != null ? Future.succeededFuture(current)
        : Future.failedFuture(new IllegalStateException("no key set from " + url + " yet"));
    }
    return fetch();
  }

  /** Fetches now (at start), whatever the period says. */
  @Override
  public Future<KeySet> warm() {
    return inFlight != null ? inFlight : fetch();
  }

  private Future<KeySet> fetch() {
    fetched = true;
    lastFetchNanos = nanoClock.getAsLong();
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url.toString())
      .putHeader("Accept", "application/json");
    inFlight = http.request(request)
      .compose(req -> req.send())
      .compose(response -> {
        if (response.statusCode() != 200) {
          return response.body().compose(ignored -> Future.failedFuture("HTTP " + response.statusCode()));
        }
        if (declaredLength(response.getHeader("Content-Length")) > MAX_JWKS_BYTES) {
          // Not read into memory at all; the size check below covers bodies that declare no length.
          response.request().reset();
          return Future.failedFuture("key set larger than " + MAX_JWKS_BYTES + " bytes");
        }
        return response.body();
      })
      .timeout(FETCH_TIMEOUT_MS, TimeUnit.MILLISECONDS)
      .map(body -> {
        if (body.length() > MAX_JWKS_BYTES) {
          throw new IllegalStateException("key set larger than " + MAX_JWKS_BYTES + " bytes");
        }
        return keySet(new JsonObject(body));
      })
      .transform(done -> {
        inFlight = null;
        if (done.succeeded()) {
          current = done.result();
          LOG.info("JWKS {}: {} key(s) {}", url, current.kids().size(), current.kids());
          return Future.succeededFuture(current);
        }
        LOG.warn("JWKS {} could not be fetched ({}); keeping {}", url, done.cause().getMessage(),
          current == null ? "no keys" : "the last good set");
        return current != null ? Future.succeededFuture(current) : Future.failedFuture(done.cause());
      });
    return inFlight;
  }

  /**
   * The set's signing keys whose algorithm the route accepts. A key without {@code alg} takes its key type's
   * usual one (RSA: RS256; EC: by curve), as identity providers that omit it mean.
   */
  private KeySet keySet(JsonObject jwks) {
    List<JsonObject> keys = new ArrayList<>();
    List<String> kids = new ArrayList<>();
    boolean anonymous = false;
    Object listed = jwks.getValue("keys");
    if (listed instanceof JsonArray array) {
      for (Object item : array) {
        if (!(item instanceof JsonObject jwk) || "enc".equals(jwk.getString("use"))) {
          continue;
        }
        JsonObject key = jwk.copy();
        if (key.getString("alg") == null) {
          String alg = usualAlgorithm(key);
          if (alg == null) {
            continue;
          }
          key.put("alg", alg);
        }
        if (!options.algorithms().contains(key.getString("alg"))) {
          continue;
        }
        keys.add(key);
        if (key.getString("kid") != null) {
          kids.add(key.getString("kid"));
        } else {
          anonymous = true;
        }
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalStateException("no signing key for " + options.algorithms());
    }
    JWTAuth auth = JWTAuth.create(vertx, new JWTAuthOptions().setJwks(keys).setJWTOptions(checks));
    return new KeySet(auth, kids, anonymous);
  }

  private static long declaredLength(String header) {
    try {
      return header == null ? -1 : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static String usualAlgorithm(JsonObject jwk) {
    String kty = jwk.getString("kty", "");
    if (kty.equals("RSA")) {
      return "RS256";
    }
    if (kty.equals("EC")) {
      return switch (jwk.getString("crv", "")) {
        case "P-256" -> "ES256";
        case "P-384" -> "ES384";
        case "P-521" -> "ES512";
        default -> null;
      };
    }
    return null;
  }
}
