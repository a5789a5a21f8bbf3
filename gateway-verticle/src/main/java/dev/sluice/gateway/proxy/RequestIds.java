package dev.sluice.gateway.proxy;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Keeps the client's {@code X-Request-Id} when it is sane, or makes one. */
final class RequestIds {
  /** Precomputed (its hash is cached): it is set twice on every request. */
  static final CharSequence HEADER = HttpHeaders.createOptimized("X-Request-Id");
  private static final int MAX_LENGTH = 128;
  private static final HexFormat HEX = HexFormat.of();

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
    return HEX.toHexDigits(random.nextLong()) + HEX.toHexDigits(random.nextLong());
  }
}
