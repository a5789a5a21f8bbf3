package dev.sluice.gateway.auth;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.json.JsonObject;

/** What checking one credential found. Messages never hold the credential. */
public sealed interface AuthOutcome {
  /** No credential of this kind was sent. */
  record Missing() implements AuthOutcome {
  }

  /** The credential is not valid (unknown, revoked, expired, badly signed, …). */
  record Rejected(String reason) implements AuthOutcome {
  }

  /** The credential could not be checked (Redis down and the key not verified lately; no key set yet). */
  record Unavailable(String reason) implements AuthOutcome {
  }

  /**
   * A valid credential.
   *
   * @param consumer the API key's consumer, or null for a token
   * @param claims   the token's claims, or null for an API key
   */
  record Verified(Consumer consumer, JsonObject claims) implements AuthOutcome {
  }

  Missing MISSING = new Missing();

  /** Who called, as the access log names them: {@code consumer=<id>} or {@code sub=<subject>}. */
  record Caller(String kind, String id) {
  }

  /**
   * What the route's rules made of the credentials: the caller, the limiter's identity for them, and the
   * limit that applies to them (a consumer's own for this route, or null for the route's).
   */
  record Decision(Caller caller, String identity, RateLimitPolicy limit, JsonObject claims) {
  }
}
