package dev.sluice.gateway.auth;

import java.security.KeyFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/** Reads a PEM public key's type, so config validation can say which algorithms it can check. */
public final class PemKeys {
  private PemKeys() {
  }

  /** @return "RSA" or "EC", or null when {@code pem} is not a public key of either */
  public static String family(String pem) {
    String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return null;
    }
    for (String family : new String[] {"RSA", "EC"}) {
      try {
        KeyFactory.getInstance(family).generatePublic(new X509EncodedKeySpec(der));
        return family;
      } catch (Exception notThisOne) {
        // try the next type
      }
    }
    return null;
  }

  /** Whether a key of {@code family} can check {@code algorithm}. */
  public static boolean fits(String family, String algorithm) {
    return "RSA".equals(family) ? algorithm.startsWith("RS") || algorithm.startsWith("PS")
      : "EC".equals(family) && algorithm.startsWith("ES");
  }
}
