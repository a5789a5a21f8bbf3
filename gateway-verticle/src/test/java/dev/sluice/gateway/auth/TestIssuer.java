package dev.sluice.gateway.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;

/**
 * An identity provider for tests: real RSA and EC key pairs, their JWKs, and tokens signed with the JDK's
 * own signatures (so the tests do not check vertx-auth-jwt with itself), plus the forgeries an attacker
 * would try.
 */
public final class TestIssuer {
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  /** One signing key: its kid, algorithm and pair. */
  public record Key(String kid, String alg, KeyPair pair) {
    public JsonObject jwk() {
      if (pair.getPublic() instanceof RSAPublicKey rsa) {
        return new JsonObject().put("kty", "RSA").put("kid", kid).put("alg", alg).put("use", "sig")
          .put("n", unsigned(rsa.getModulus(), 0)).put("e", unsigned(rsa.getPublicExponent(), 0));
      }
      ECPublicKey ec = (ECPublicKey) pair.getPublic();
      return new JsonObject().put("kty", "EC").put("kid", kid).put("alg", alg).put("use", "sig").put("crv", "P-256")
        .put("x", unsigned(ec.getW().getAffineX(), 32)).put("y", unsigned(ec.getW().getAffineY(), 32));
    }

    public String publicPem() {
      return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(pair.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    /** A token signed by this key, its header naming {@code kid}. */
    public String sign(JsonObject claims) {
      return sign(claims, kid);
    }

    public String sign(JsonObject claims, String headerKid) {
      JsonObject header = new JsonObject().put("alg", alg).put("typ", "JWT");
      if (headerKid != null) {
        header.put("kid", headerKid);
      }
      String input = b64(header.encode()) + "." + b64(claims.encode());
      return input + "." + B64.encodeToString(signature(alg, pair.getPrivate(), input));
    }
  }

  public static Key rsa(String kid) {
    return new Key(kid, "RS256", pair("RSA", null));
  }

  public static Key ec(String kid) {
    return new Key(kid, "ES256", pair("EC", "secp256r1"));
  }

  public static JsonObject jwks(Key... keys) {
    JsonArray list = new JsonArray();
    Arrays.stream(keys).forEach(k -> list.add(k.jwk()));
    return new JsonObject().put("keys", list);
  }

  /** Claims valid for five minutes. */
  public static JsonObject claims(String issuer, String audience, String subject) {
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("iss", issuer).put("aud", audience).put("sub", subject).put("iat", now)
      .put("exp", now + 300).put("jti", Long.toHexString(Double.doubleToLongBits(Math.random())));
  }

  /** {@code alg: none}: no signature at all. */
  public static String unsigned(JsonObject claims, String kid) {
    return b64(new JsonObject().put("alg", "none").put("typ", "JWT").put("kid", kid).encode()) + "."
      + b64(claims.encode()) + ".";
  }

  /** The algorithm-confusion forgery: HS256, with the RSA public key's PEM text as the HMAC secret. */
  public static String hmacWithPublicKey(Key rsa, JsonObject claims) {
    String input = b64(new JsonObject().put("alg", "HS256").put("typ", "JWT").put("kid", rsa.kid()).encode()) + "."
      + b64(claims.encode());
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(rsa.publicPem().getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@code token} with its claims replaced and its signature kept: what tampering in transit looks like. */
  public static String withClaims(String token, JsonObject claims) {
    String[] parts = token.split("\\.");
    return parts[0] + "." + b64(claims.encode()) + "." + parts[2];
  }

  private static String b64(String json) {
    return B64.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  private static String unsigned(BigInteger value, int length) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    if (length > bytes.length) {
      byte[] padded = new byte[length];
      System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
      bytes = padded;
    }
    return B64.encodeToString(bytes);
  }

  private static KeyPair pair(String type, String curve) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance(type);
      if (curve != null) {
        generator.initialize(new ECGenParameterSpec(curve));
      } else {
        generator.initialize(2048);
      }
      return generator.generateKeyPair();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] signature(String alg, PrivateKey key, String input) {
    try {
      Signature signature = Signature.getInstance(alg.startsWith("RS") ? "SHA256withRSA" : "SHA256withECDSAinP1363Format");
      signature.initSign(key);
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return signature.sign();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
