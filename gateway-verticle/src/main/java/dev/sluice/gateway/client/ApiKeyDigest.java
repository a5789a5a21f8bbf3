package dev.sluice.gateway.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How a client identified by an API key is named everywhere past the request line: in Redis keys,
 * access logs, metrics and admin answers. An API key is a secret, so whoever reads those must not
 * collect keys; a digest names the client just as well.
 *
 * <p>{@code key:} + the first 128 bits of SHA-256 of the trimmed key, in hex. 128 bits keep two
 * keys from sharing a window (a collision would merge two clients' budgets) while staying short
 * enough for a log line; unsalted, so every node and the admin's {@code ?apiKey=} lookup agree
 * without sharing anything. Keys are long random strings, so the digest cannot be reversed by
 * guessing; a key that can be guessed is not a secret to begin with.
 */
public final class ApiKeyDigest {
  public static final String PREFIX = "key:";
  private static final int DIGEST_BYTES = 16;
  private static final HexFormat HEX = HexFormat.of();

  /** Kept per instance: looking the algorithm up costs about as much as hashing a key. */
  private final MessageDigest sha256 = sha256();

  /** For one thread at a time (a verticle instance's event loop): a MessageDigest is not thread-safe. */
  public ApiKeyDigest() {
  }

  /** The client identity for {@code apiKey} (trimmed first, as the header's value is). */
  public static String identity(String apiKey) {
    return identity(sha256(), apiKey);
  }

  /** {@link #identity(String)} with this instance's digest: the request path's form. */
  public String of(String apiKey) {
    return identity(sha256, apiKey);
  }

  private static String identity(MessageDigest sha256, String apiKey) {
    byte[] digest = sha256.digest(apiKey.trim().getBytes(StandardCharsets.UTF_8));
    return PREFIX + HEX.formatHex(digest, 0, DIGEST_BYTES);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-256", e);
    }
  }
}
