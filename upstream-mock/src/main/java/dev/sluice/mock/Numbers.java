package dev.sluice.mock;

/**
 * Range-checked parsing of the numbers callers send (path segments, query parameters, JSON
 * fields), each failure a {@link BadInputException} naming the field.
 */
final class Numbers {
  private Numbers() {
  }

  /** A decimal whole number written as text, e.g. a path segment or query value. */
  static long parseWhole(String field, String text, long min, long max) {
    if (text == null || text.isEmpty()) {
      throw new BadInputException(field, "missing; expected a whole number between " + min + " and " + max);
    }
    long value;
    try {
      value = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new BadInputException(field, "not a whole number: '" + text + "'");
    }
    return checkRange(field, value, min, max);
  }

  /** A JSON value that must be a whole number (1 and 1.0 both pass; 1.5 and "1" do not). */
  static long wholeFromJson(String field, Object value, long min, long max) {
    if (!(value instanceof Number number)) {
      throw new BadInputException(field, "must be a whole number between " + min + " and " + max);
    }
    double asDouble = number.doubleValue();
    if (asDouble != Math.rint(asDouble) || Double.isInfinite(asDouble)) {
      throw new BadInputException(field, "must be a whole number between " + min + " and " + max);
    }
    if (asDouble < min || asDouble > max) {
      throw new BadInputException(field, "must be between " + min + " and " + max + ", got " + value);
    }
    return number.longValue();
  }

  /** A JSON value that must be a number in [min, max]. */
  static double fromJson(String field, Object value, double min, double max) {
    if (!(value instanceof Number number)) {
      throw new BadInputException(field, "must be a number between " + plain(min) + " and " + plain(max));
    }
    double asDouble = number.doubleValue();
    // The negated form also rejects NaN, which a JSON parser should never produce but a caller
    // building options in code can.
    if (!(asDouble >= min && asDouble <= max)) {
      throw new BadInputException(field, "must be between " + plain(min) + " and " + plain(max) + ", got " + value);
    }
    return asDouble;
  }

  /** 1 rather than 1.0 in messages, so they read like the JSON the caller wrote. */
  private static String plain(double value) {
    return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
  }

  static long checkRange(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new BadInputException(field, "must be between " + min + " and " + max + ", got " + value);
    }
    return value;
  }
}
