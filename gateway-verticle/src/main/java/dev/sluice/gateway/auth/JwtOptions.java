package dev.sluice.gateway.auth;

import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * A route's {@code jwt} section. Exactly one of {@code jwksUrl} and {@code publicKey} is set.
 *
 * @param jwksUrl       where the signing keys are published (RFC 7517 key set), fetched by the gateway
 * @param publicKey     a PEM public key, for an issuer that signs with one fixed key
 * @param issuer        the required {@code iss}, or null for any
 * @param audience      {@code aud} must name one of these; empty for any
 * @param algorithms    the only {@code alg} values accepted (never {@code none}, never HMAC: the keys are public)
 * @param leewaySeconds clock skew allowed on {@code exp}, {@code nbf} and {@code iat}
 * @param jwksMinRefreshSeconds the least time between two fetches of the key set, however many unknown
 *                      {@code kid}s arrive
 * @param scopes        every one of these must be in {@code scope} (space-separated) or {@code scp}, else 403
 * @param forwardClaims upstream header name → claim; client-sent headers of those names never pass
 * @param stripAuthorization remove {@code Authorization} before forwarding
 */
public record JwtOptions(URI jwksUrl, String publicKey, String issuer, List<String> audience, List<String> algorithms,
                         int leewaySeconds, int jwksMinRefreshSeconds, List<String> scopes,
                         Map<String, String> forwardClaims, boolean stripAuthorization) {
  public static final int DEFAULT_LEEWAY_SECONDS = 0;
  public static final int DEFAULT_JWKS_MIN_REFRESH_SECONDS = 30;
  /** Public-key signatures vertx-auth-jwt verifies. HMAC is left out on purpose (see {@link #algorithms}). */
  public static final List<String> SUPPORTED_ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384",
    "PS512", "ES256", "ES384", "ES512");

  public JwtOptions {
    audience = List.copyOf(audience);
    algorithms = List.copyOf(algorithms);
    scopes = List.copyOf(scopes);
    forwardClaims = Map.copyOf(forwardClaims);
  }
}
