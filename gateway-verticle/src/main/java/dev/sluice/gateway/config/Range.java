package dev.sluice.gateway.config;

import java.util.Optional;

/** The allowed values of an integer field, with the message a user reads when a value falls outside. */
record Range(long min, long max, String message) {
  static final Range POSITIVE = new Range(1, Long.MAX_VALUE, "must be > 0");
  static final Range NON_NEGATIVE = new Range(0, Long.MAX_VALUE, "must be >= 0");
  static final Range PORT = between(0, 65535);
  static final Range STATUS = between(100, 599);

  static Range between(long min, long max) {
    return new Range(min, max, "must be between " + min + " and " + max);
  }

  static Range atLeast(long min) {
    return new Range(min, Long.MAX_VALUE, "must be >= " + min);
  }

  /** The same range capped to what an {@code int} field can hold. */
  Range asInt() {
    return new Range(Math.max(min, Integer.MIN_VALUE), Math.min(max, Integer.MAX_VALUE), message);
  }

  /** Why {@code value} is not allowed, or empty when it is. */
  Optional<String> violation(long value) {
    if (value < min) {
      return Optional.of(message);
    }
    if (value > max) {
      // a lower-bound message ("must be > 0") would be wrong for a value that is too large
      return Optional.of(message.startsWith("must be between") ? message : "must be <= " + max);
    }
    return Optional.empty();
  }
}
