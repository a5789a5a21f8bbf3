package dev.sluice.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.List;

/** One PEM public key, for each of the route's algorithms its key type can do. */
final class PemKey implements KeySource {
  private final Future<KeySet> keys;

  PemKey(Vertx vertx, JwtOptions options, JWTOptions checks) {
    JWTAuthOptions auth = new JWTAuthOptions().setJWTOptions(checks);
    String family = PemKeys.family(options.publicKey());
    options.algorithms().stream().filter(alg -> PemKeys.fits(family, alg))
      .forEach(alg -> auth.addPubSecKey(new PubSecKeyOptions().setAlgorithm(alg).setBuffer(options.publicKey())));
    this.keys = auth.getPubSecKeys() == null || auth.getPubSecKeys().isEmpty()
      ? Future.failedFuture(new IllegalStateException("the public key fits none of " + options.algorithms()))
      : Future.succeededFuture(new KeySet(JWTAuth.create(vertx, auth), List.of(), true));
  }

  @Override
  public Future<KeySet> forKid(String kid) {
    return keys;
  }

  @Override
  public Future<KeySet> warm() {
    return keys;
  }
}
