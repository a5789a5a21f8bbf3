package dev.sluice.gateway.auth;

import io.vertx.core.Future;

/** Where a route's token-signing keys come from: a JWKS URL or one PEM key. */
interface KeySource {
  /** The keys to check a token with {@code kid} (null when the token names none); fails when there are none. */
  Future<KeySet> forKid(String kid);

  /** Loads the keys ahead of the first token. */
  Future<KeySet> warm();
}
