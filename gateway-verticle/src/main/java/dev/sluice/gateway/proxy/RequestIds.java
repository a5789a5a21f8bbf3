package dev.sluice.gateway.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/** Keeps the client's {@code X-Request-Id} when it is sane, or makes one. */
final class RequestIds {
  /** Precomputed (its hash is cached): it is set twice on every request. */
  static final CharSequence HEADER = HttpHeaders.createOptimized("X-Request-Id");
  private static final int MAX_LENGTH = 128;
  private static final byte[] DIGITS = "0123456789abcdef".getBytes(StandardCharsets.ISO_8859_1);

  private RequestIds() {
  }

  static String of(HttpServerRequest request) {
    String given = request.getHeader(HEADER);
    return given != null && isSane(given) ? given : generate();
  }

  /** A header echoed into logs and responses must not smuggle control characters or megabytes. */
  private static boolean isSane(String id) {
    if (id.isEmpty() || id.length() > MAX_LENGTH) {
      return false;
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        return false;
      }
    }
    return true;
  }

  /** 128 random bits as 32 hex digits; ThreadLocalRandom, because ids need uniqueness, not secrecy. */
  private static String generate() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    // Straight into one buffer: two hex strings and their concatenation cost three strings a request.
    byte[] id = new byte[32];
    hex(random.nextLong(), id, 0);
    hex(random.nextLong(), id, 16);
    return new String(id, StandardCharsets.ISO_8859_1);
  }

  /** The 16 lower-case hex digits of {@code bits}, most significant first, at {@code id[from..from+16)}. */
  private static void hex(long bits, byte[] id, int from) {
    for (int i = from + 15; i >= from; i--) {
      id[i] = DIGITS[(int) (bits & 0xf)];
      bits >>>= 4;
    }
  }
}
