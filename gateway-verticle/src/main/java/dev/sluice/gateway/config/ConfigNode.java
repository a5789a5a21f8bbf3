package dev.sluice.gateway.config;

import io.vertx.core.json.JsonObject;

import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * An object of the config, read key by key. It remembers which keys were asked for, so that
 * {@link #rejectUnknownKeys()} can report every other key: a typo such as {@code rateLimt} must fail the start,
 * not silently leave the default in force. Used by one parse on one thread, then dropped.
 */
final class ConfigNode {
  private final String path;
  private final JsonObject json;
  private final Problems problems;
  private final Set<String> known = new LinkedHashSet<>();

  ConfigNode(String path, JsonObject json, Problems problems) {
    this.path = path;
    this.json = json;
    this.problems = problems;
  }

  static ConfigNode root(JsonObject json, Problems problems) {
    return new ConfigNode("", json, problems);
  }

  ConfigValue value(String key) {
    known.add(key);
    return new ConfigValue(childPath(key), json.getValue(key), problems);
  }

  ConfigNode object(String key) {
    return value(key).object();
  }

  String string(String key, String fallback) {
    return value(key).string().orElse(fallback);
  }

  boolean bool(String key, boolean fallback) {
    return value(key).bool().orElse(fallback);
  }

  int intValue(String key, Range range, int fallback) {
    return value(key).intValue(range).orElse(fallback);
  }

  long longValue(String key, Range range, long fallback) {
    return value(key).integer(range).orElse(fallback);
  }

  <E extends Enum<E>> E oneOf(String key, Class<E> type, E fallback) {
    return value(key).oneOf(type).orElse(fallback);
  }

  /** The keys this object holds, for a section keyed by the user's own names (header names, say). */
  Set<String> fieldNames() {
    return new LinkedHashSet<>(json.fieldNames());
  }

  /** Reports a problem on {@code key} of this object, e.g. one that involves two of its fields. */
  void problem(String key, String message) {
    problems.add(childPath(key), message);
  }

  /** Call after every key of this object was read. */
  void rejectUnknownKeys() {
    for (String key : json.fieldNames()) {
      if (!known.contains(key)) {
        problems.add(childPath(key), unknownKeyMessage(key));
      }
    }
  }

  private String childPath(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  private String unknownKeyMessage(String key) {
    return known.stream()
        .filter(k -> distance(k, key) <= Math.min(2, key.length() - 1))
        .min(Comparator.comparingInt(k -> distance(k, key)))
        .map(k -> "unknown key (did you mean " + k + "?)")
        .orElse("unknown key");
  }

  /** Levenshtein distance, ignoring case: enough to turn {@code rateLimt} into a hint. */
  private static int distance(String a, String b) {
    String x = a.toLowerCase(Locale.ROOT);
    String y = b.toLowerCase(Locale.ROOT);
    int[] row = new int[y.length() + 1];
    for (int j = 0; j <= y.length(); j++) {
      row[j] = j;
    }
    for (int i = 1; i <= x.length(); i++) {
      int diagonal = row[0];
      row[0] = i;
      for (int j = 1; j <= y.length(); j++) {
        int above = row[j];
        int substitution = diagonal + (x.charAt(i - 1) == y.charAt(j - 1) ? 0 : 1);
        row[j] = Math.min(Math.min(row[j] + 1, row[j - 1] + 1), substitution);
        diagonal = above;
      }
    }
    return row[y.length()];
  }
}
