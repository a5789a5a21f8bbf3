package dev.sluice.gateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One value of the config and its path. Every read returns empty both when the value is absent and when it is
 * invalid; in the second case the problem is already recorded, so callers fall back to the default and keep
 * going, and one parse reports every problem without cascading errors.
 *
 * <p>Types are strict: {@code "8080"} is not an integer and {@code "true"} is not a boolean, because a config
 * that only works by accident breaks on the next edit.
 */
final class ConfigValue {
  private final String path;
  private final Object raw;
  private final Problems problems;

  ConfigValue(String path, Object raw, Problems problems) {
    this.path = path;
    this.raw = raw;
    this.problems = problems;
  }

  String path() {
    return path;
  }

  /** Explicit {@code null} (YAML {@code key:} with nothing after it) counts as absent. */
  boolean isSet() {
    return raw != null;
  }

  Object raw() {
    return raw;
  }

  void problem(String message) {
    problems.add(path, message);
  }

  ConfigValue required() {
    if (!isSet()) {
      problem("required");
    }
    return this;
  }

  Optional<String> string() {
    return typed(String.class, "must be a string");
  }

  Optional<Boolean> bool() {
    return typed(Boolean.class, "must be true or false");
  }

  Optional<Long> integer(Range range) {
    if (!isSet()) {
      return Optional.empty();
    }
    if (raw instanceof BigInteger big && big.bitLength() >= Long.SIZE) {
      problem("is out of range");
      return Optional.empty();
    }
    if (!(raw instanceof Integer || raw instanceof Long || raw instanceof Short || raw instanceof Byte
        || raw instanceof BigInteger)) {
      problem("must be an integer");
      return Optional.empty();
    }
    return inRange(((Number) raw).longValue(), range);
  }

  Optional<Integer> intValue(Range range) {
    return integer(range.asInt()).map(Long::intValue);
  }

  /** A whole number or a decimal, at least {@code min}. */
  Optional<Double> number(double min) {
    if (!isSet()) {
      return Optional.empty();
    }
    if (!(raw instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      problem("must be a number");
      return Optional.empty();
    }
    if (n.doubleValue() < min) {
      problem("must be >= " + (min == Math.rint(min) ? String.valueOf((long) min) : String.valueOf(min)));
      return Optional.empty();
    }
    return Optional.of(n.doubleValue());
  }

  /** A value of {@code type} named in any letter case: {@code json}, {@code JSON} and {@code Json} are one. */
  <E extends Enum<E>> Optional<E> oneOf(Class<E> type) {
    Optional<E> found = string().flatMap(s -> Arrays.stream(type.getEnumConstants())
        .filter(e -> e.name().equalsIgnoreCase(s.trim()))
        .findFirst());
    if (found.isEmpty() && raw instanceof String) {
      problem("must be one of " + Arrays.stream(type.getEnumConstants())
          .map(e -> e.name().toLowerCase(Locale.ROOT))
          .collect(Collectors.joining(", ")));
    }
    return found;
  }

  /** The elements, each with its own path ({@code routes[2]}). */
  Optional<List<ConfigValue>> list() {
    if (!isSet()) {
      return Optional.empty();
    }
    if (!(raw instanceof JsonArray array)) {
      problem("must be a list");
      return Optional.empty();
    }
    List<ConfigValue> items = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      items.add(new ConfigValue(path + "[" + i + "]", array.getValue(i), problems));
    }
    return Optional.of(items);
  }

  /** This value as an object; an absent or invalid one reads as empty, so every key falls back to its default. */
  ConfigNode object() {
    if (raw instanceof JsonObject json) {
      return new ConfigNode(path, json, problems);
    }
    if (isSet()) {
      problem("must be an object");
    }
    return new ConfigNode(path, new JsonObject(), problems);
  }

  private Optional<Long> inRange(long value, Range range) {
    Optional<String> violation = range.violation(value);
    violation.ifPresent(this::problem);
    return violation.isPresent() ? Optional.empty() : Optional.of(value);
  }

  private <T> Optional<T> typed(Class<T> type, String message) {
    if (!isSet()) {
      return Optional.empty();
    }
    if (!type.isInstance(raw)) {
      problem(message);
      return Optional.empty();
    }
    return Optional.of(type.cast(raw));
  }
}
