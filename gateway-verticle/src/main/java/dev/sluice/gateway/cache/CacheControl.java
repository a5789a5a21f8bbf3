package dev.sluice.gateway.cache;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The directives of one or more {@code Cache-Control} header values (RFC 9111 §5.2), names lower case. */
record CacheControl(Map<String, String> directives) {
  static final CacheControl NONE = new CacheControl(Map.of());

  static CacheControl parse(List<String> values) {
    if (values.isEmpty()) {
      return NONE;
    }
    Map<String, String> directives = new HashMap<>();
    for (String value : values) {
      for (String part : value.split(",")) {
        String directive = part.trim();
        if (directive.isEmpty()) {
          continue;
        }
        int eq = directive.indexOf('=');
        String name = (eq < 0 ? directive : directive.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
        String argument = eq < 0 ? "" : unquoted(directive.substring(eq + 1).trim());
        // The first occurrence stands: a duplicate directive is an error the RFC lets us resolve either way.
        directives.putIfAbsent(name, argument);
      }
    }
    return new CacheControl(Map.copyOf(directives));
  }

  boolean has(String directive) {
    return directives.containsKey(directive);
  }

  /** @return the directive's delta-seconds, or -1 when absent or not a number */
  long seconds(String directive) {
    String argument = directives.get(directive);
    if (argument == null || argument.isEmpty()) {
      return -1;
    }
    try {
      return Math.max(0, Long.parseLong(argument));
    } catch (NumberFormatException e) {
      return argument.chars().allMatch(Character::isDigit) ? Long.MAX_VALUE / 2000 : -1;
    }
  }

  private static String unquoted(String argument) {
    return argument.length() >= 2 && argument.startsWith("\"") && argument.endsWith("\"")
      ? argument.substring(1, argument.length() - 1) : argument;
  }
}
