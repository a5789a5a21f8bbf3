package dev.sluice.gateway.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * SHA-256 of a credential, in hex: how an API key is stored ({@code sluice:apikey:<sha256>}) and how a key or
 * token is cached. Unsalted on purpose: every node must find the same digest for the same key without sharing
 * anything, and a key of 256 random bits cannot be found from its digest by guessing. The admin shows only
 * {@link #PREFIX_CHARS} hex digits of it.
 *
 * <p>For one thread at a time (a verticle instance's event loop): a MessageDigest is not thread-safe.
 */
public final class KeyDigest {
  /** What the admin API shows of a digest: enough to tell a consumer's keys apart, useless for a lookup. */
  public static final int PREFIX_CHARS = 12;
  private static final HexFormat HEX = HexFormat.of();
  private static final int KEY_BYTES = 32;
  private static final String KEY_PREFIX = "sk_";

  private final MessageDigest sha256 = sha256();

  public String of(String credential) {
    return HEX.formatHex(sha256.digest(credential.trim().getBytes(StandardCharsets.UTF_8)));
  }

  /** A new API key: {@code sk_} and 256 random bits, base64url. */
  public static String newKey(SecureRandom random) {
    byte[] bytes = new byte[KEY_BYTES];
    random.nextBytes(bytes);
    return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  public static String prefix(String digest) {
    return digest.substring(0, Math.min(PREFIX_CHARS, digest.length()));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }
}
