package dev.sluice.gateway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Collects every problem of one parse, so the user fixes a config in one round instead of one error per start.
 * A value that came from outside the file (an environment variable) is reported under that name instead of its
 * path, since that is where the user has to look.
 */
final class Problems {
  private final List<String> lines = new ArrayList<>();
  private final Map<String, String> origins;

  /** @param origins field path → the name to report instead, e.g. {@code http.port → SLUICE_HTTP_PORT} */
  Problems(Map<String, String> origins) {
    this.origins = Map.copyOf(origins);
  }

  void add(String path, String message) {
    lines.add(origins.getOrDefault(path, path) + ": " + message);
  }

  void throwIfAny() {
    if (!lines.isEmpty()) {
      throw new ConfigException(lines);
    }
  }
}
