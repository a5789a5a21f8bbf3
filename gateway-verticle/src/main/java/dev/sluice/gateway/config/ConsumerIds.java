package dev.sluice.gateway.config;

import java.util.regex.Pattern;

/** What a consumer id may be: it goes into Redis keys, limiter windows, log lines and admin URLs. */
public final class ConsumerIds {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private ConsumerIds() {
  }

  /** @return why {@code id} is not a consumer id, or null when it is one */
  public static String problem(String id) {
    return id != null && ID.matcher(id).matches() ? null
      : "must be 1 to 64 letters, digits, '_', '.' or '-'";
  }
}
