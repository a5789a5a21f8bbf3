package dev.sluice.gateway.auth;

import io.vertx.ext.auth.jwt.JWTAuth;

import java.util.List;

/**
 * Keys a token can be checked with, as one vertx-auth-jwt provider. Never built empty: vertx-auth-jwt without
 * keys accepts unsigned tokens.
 *
 * @param anonymous whether some key has no {@code kid} (then a token may name any kid, or none)
 */
record KeySet(JWTAuth auth, List<String> kids, boolean anonymous) {
  KeySet {
    kids = List.copyOf(kids);
  }

  boolean knows(String kid) {
    return kid == null || anonymous || kids.contains(kid);
  }
}
