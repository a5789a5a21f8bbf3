package dev.sluice.gateway.auth;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayUnderTest;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * JWT routes through a real gateway, a real upstream-mock (which echoes the headers it got), a real Redis and
 * a real JWKS server. Tokens are signed with the JDK's own signatures.
 */
class JwtAuthTest {
  static final String ISSUER = "https://idp.test/";
  static final String AUDIENCE = "orders";
  static final TestIssuer.Key RSA = TestIssuer.rsa("r1");
  static final TestIssuer.Key EC = TestIssuer.ec("e1");
  static final TestIssuer.Key ROTATED = TestIssuer.rsa("r2");
  static final JwksServer JWKS = new JwksServer();

  static JsonObject jwtRoute(String name, String jwks, int minRefresh, String mock) {
    return route(name, "/" + name, mock + "/anything").put("stripPrefix", true).put("auth", "jwt")
      .put("jwt", new JsonObject().put("jwksUrl", JWKS.url(jwks)).put("issuer", ISSUER).put("audience", AUDIENCE)
        .put("algorithms", new JsonArray().add("RS256").add("ES256")).put("jwksMinRefreshSeconds", minRefresh)
        .put("forwardClaims", new JsonObject().put("X-User-Id", "sub").put("X-Tenant", "tenant"))
        .put("stripAuthorization", true));
  }

  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(vertx -> {
    JWKS.publish("main", TestIssuer.jwks(RSA, EC));
    JWKS.publish("scoped", TestIssuer.jwks(RSA, EC));
    JWKS.publish("rotating", TestIssuer.jwks(RSA));
    JWKS.publish("flood", TestIssuer.jwks(RSA));
    JWKS.publish("flood1", TestIssuer.jwks(RSA));
    JWKS.publish("pem", TestIssuer.jwks(RSA));
    return JWKS.start(vertx);
  }, (redis, mock) -> {
    JsonObject scoped = jwtRoute("scoped", "scoped", 30, mock);
    scoped.getJsonObject("jwt").put("scopes", new JsonArray().add("orders:write"));
    JsonObject pem = route("pem", "/pem", mock + "/anything").put("auth", new JsonArray().add("jwt"))
      .put("jwt", new JsonObject().put("publicKey", RSA.publicPem()).put("algorithms", new JsonArray().add("RS256")))
      .put("identity", "jwt:tenant");
    return GatewayFixture.config(redis, new JsonArray()
      .add(jwtRoute("jwt", "main", 30, mock))
      .add(scoped)
      .add(jwtRoute("rotating", "rotating", 1, mock))
      .add(jwtRoute("flood", "flood", 60, mock))
      .add(jwtRoute("flood1", "flood1", 1, mock))
      .add(jwtRoute("cold", "cold", 60, mock))
      .add(pem));
  });

  static JsonObject claims(String sub) {
    return TestIssuer.claims(ISSUER, AUDIENCE, sub);
  }

  static HttpResponse<Buffer> call(String path, String token) throws Exception {
    var request = gateway.client().get(path);
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return request.putHeader("X-User-Id", "someone-else").putHeader("X-Tenant", "client-made-up")
      .send().await(30, TimeUnit.SECONDS);
  }

  static void assertInvalidToken(HttpResponse<Buffer> response, String what) {
    assertEquals(401, response.statusCode(), what + ": " + response.bodyAsString());
    assertEquals("UNAUTHENTICATED", response.bodyAsJsonObject().getString("code"), what);
    assertEquals("application/json", response.getHeader("Content-Type"), what);
    assertEquals("Bearer error=\"invalid_token\"", response.getHeader("WWW-Authenticate"), what);
  }

  @Test
  void validRs256AndEs256TokensPassAndTheUpstreamGetsTheClaimNotTheClientsCopyNorTheToken() throws Exception {
    for (TestIssuer.Key key : List.of(RSA, EC)) {
      HttpResponse<Buffer> response = call("/jwt/x", key.sign(claims("user-42")));
      assertEquals(200, response.statusCode(), key.alg() + ": " + response.bodyAsString());
      JsonObject headers = response.bodyAsJsonObject().getJsonObject("headers");
      assertEquals(new JsonArray().add("user-42"), headers.getJsonArray("x-user-id"), key.alg());
      assertNull(headers.getValue("authorization"), "stripAuthorization: the token stays at the gateway");
      assertNull(headers.getValue("x-tenant"), "a claim the token lacks: the client's copy is dropped, none is made up");
    }
  }

  @Test
  void aRequestWithoutATokenGets401WithTheInvalidTokenChallenge() throws Exception {
    assertInvalidToken(call("/jwt/x", null), "no token");
  }

  @Test
  void expiredNotYetValidWrongIssuerWrongAudienceTamperedUnsignedAndAlgorithmConfusionAreAll401() throws Exception {
    long now = System.currentTimeMillis() / 1000;
    String good = RSA.sign(claims("user-1"));
    assertEquals(200, call("/jwt/x", good).statusCode());
    assertInvalidToken(call("/jwt/x", RSA.sign(claims("u").put("exp", now - 60))), "expired");
    assertInvalidToken(call("/jwt/x", RSA.sign(claims("u").put("nbf", now + 600))), "not yet valid");
    assertInvalidToken(call("/jwt/x", RSA.sign(claims("u").put("iss", "https://evil.test/"))), "wrong iss");
    assertInvalidToken(call("/jwt/x", RSA.sign(claims("u").put("aud", "billing"))), "wrong aud");
    assertInvalidToken(call("/jwt/x", TestIssuer.withClaims(good, claims("admin"))), "tampered");
    assertInvalidToken(call("/jwt/x", TestIssuer.unsigned(claims("admin"), "r1")), "alg none");
    assertInvalidToken(call("/jwt/x", TestIssuer.hmacWithPublicKey(RSA, claims("admin"))), "HS256 with the public key");
    assertInvalidToken(call("/jwt/x", TestIssuer.rsa("r1").sign(claims("admin"))), "another key with a known kid");
  }

  @Test
  void aTokenWithoutTheRequiredScopeIs403AndOneWithItPasses() throws Exception {
    HttpResponse<Buffer> without = call("/scoped/x", RSA.sign(claims("u").put("scope", "orders:read")));
    assertEquals(403, without.statusCode(), without.bodyAsString());
    assertEquals("FORBIDDEN", without.bodyAsJsonObject().getString("code"));
    assertTrue(without.getHeader("WWW-Authenticate").contains("insufficient_scope"));
    assertEquals(200, call("/scoped/x", RSA.sign(claims("u").put("scope", "orders:read orders:write"))).statusCode());
    assertEquals(200, call("/scoped/x", EC.sign(claims("u").put("scp", new JsonArray().add("orders:write")))).statusCode());
  }

  @Test
  void afterTheProviderRotatesToANewKidTokensSignedWithItPassAfterOneRefetch() throws Exception {
    assertEquals(200, call("/rotating/x", RSA.sign(claims("u"))).statusCode());
    int before = JWKS.fetches("rotating");
    JWKS.publish("rotating", TestIssuer.jwks(ROTATED));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    HttpResponse<Buffer> response;
    // Within jwksMinRefreshSeconds (1 s) of the last fetch the new kid is unknown; then one fetch finds it.
    do {
      response = call("/rotating/x", ROTATED.sign(claims("u")));
      if (response.statusCode() != 200 && System.nanoTime() > deadline) {
        fail("the new kid never passed: " + response.bodyAsString());
      }
    } while (response.statusCode() != 200);
    assertEquals(before + 1, JWKS.fetches("rotating"), "one refetch found the new key");
  }

  @Test
  void aFloodOfUnknownKidsFetchesNoMoreThanOncePerMinimumRefreshPeriod() throws Exception {
    assertEquals(200, call("/flood/x", RSA.sign(claims("u"))).statusCode());
    int before = JWKS.fetches("flood");
    for (int burst = 0; burst < 2; burst++) {
      List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        calls.add(gateway.client().get("/flood/x")
          .putHeader("Authorization", "Bearer " + RSA.sign(claims("u"), UUID.randomUUID().toString())).send());
      }
      Future.all(calls).await(60, TimeUnit.SECONDS);
      calls.forEach(c -> assertInvalidToken(c.result(), "unknown kid"));
    }
    // The start-up fetch opened a 60 s period: 200 unknown kids within it fetch nothing more.
    assertTrue(JWKS.fetches("flood") - before <= 1, "fetches: " + (JWKS.fetches("flood") - before));
    assertEquals(before, JWKS.fetches("flood"));
  }

  @Test
  void unknownKidsArrivingForSecondsFetchTheKeySetAtMostOncePerSecondOfMinimumRefresh() throws Exception {
    assertEquals(200, call("/flood1/x", RSA.sign(claims("u"))).statusCode());
    int before = JWKS.fetches("flood1");
    long start = System.nanoTime();
    for (int round = 0; round < 15; round++) {
      List<Future<HttpResponse<Buffer>>> calls = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        calls.add(gateway.client().get("/flood1/x")
          .putHeader("Authorization", "Bearer " + RSA.sign(claims("u"), UUID.randomUUID().toString())).send());
      }
      Future.all(calls).await(60, TimeUnit.SECONDS);
      calls.forEach(c -> assertInvalidToken(c.result(), "unknown kid"));
      gateway.vertx().timer(200).await();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    int fetches = JWKS.fetches("flood1") - before;
    // A fetch may open each 1 s period; the first may come at once (the start-up fetch's period may be over).
    assertTrue(fetches >= 1 && fetches <= Math.ceil(seconds) + 1,
      fetches + " fetches for 300 unknown kids over " + seconds + " s");
    assertEquals(200, call("/flood1/x", RSA.sign(claims("u"))).statusCode(), "the known key still works");
  }

  @Test
  void whileTheJwksServerIsDownKeysFetchedBeforeKeepWorkingAndWithNoneYetTheAnswerIs503() throws Exception {
    JWKS.down("main", true);
    try {
      assertEquals(200, call("/jwt/x", EC.sign(claims("user-down"))).statusCode());
      assertInvalidToken(call("/jwt/x", RSA.sign(claims("u"), "unknown-kid")), "unknown kid while down");
      HttpResponse<Buffer> cold = call("/cold/x", RSA.sign(claims("u")));
      assertEquals(503, cold.statusCode(), cold.bodyAsString());
      assertEquals("AUTH_UNAVAILABLE", cold.bodyAsJsonObject().getString("code"));
    } finally {
      JWKS.down("main", false);
    }
  }

  @Test
  void aPemKeyRouteCountsTheCallerByTheConfiguredClaim() throws Exception {
    HttpResponse<Buffer> missing = call("/pem/x", RSA.sign(claims("u")));
    assertEquals(401, missing.statusCode(), "a token without the identity claim is nobody");
    HttpResponse<Buffer> ok = call("/pem/x", RSA.sign(claims("u").put("tenant", "acme")));
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
    JsonObject headers = ok.bodyAsJsonObject().getJsonObject("headers");
    assertFalse(headers.getJsonArray("authorization").isEmpty(), "without stripAuthorization the token goes on");
  }
}
