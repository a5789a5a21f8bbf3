package dev.sluice.admin.command;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The one check of {@code Authorization: Bearer <admin.token>}, for admin HTTP writes and for
 * commands that arrive over an event-bus bridge alike. Compared in constant time; an empty or
 * absent configured token disables writes rather than matching an empty header.
 */
public final class AdminToken {
  private static final String BEARER = "Bearer ";

  public enum Verdict {
    ALLOWED,
    /** no token is configured: writes are off */
    DISABLED,
    /** no {@code Authorization: Bearer …} */
    MISSING,
    WRONG
  }

  private final byte[] token;

  public AdminToken(String token) {
    this.token = token == null || token.isBlank() ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  public boolean writesEnabled() {
    return token != null;
  }

  /** @param authorization the {@code Authorization} header's value, or null */
  public Verdict check(String authorization) {
    if (token == null) {
      return Verdict.DISABLED;
    }
    if (authorization == null || !authorization.startsWith(BEARER)) {
      return Verdict.MISSING;
    }
    byte[] given = authorization.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(given, token) ? Verdict.ALLOWED : Verdict.WRONG;
  }

  /** The refusal for a verdict other than {@link Verdict#ALLOWED}, in the admin API's vocabulary. */
  public static CommandFailure refusal(Verdict verdict) {
    return switch (verdict) {
      case DISABLED -> new CommandFailure(403, "WRITES_DISABLED",
        "admin writes are disabled: set admin.token or SLUICE_ADMIN_TOKEN");
      case MISSING -> new CommandFailure(401, "UNAUTHORIZED", "send Authorization: Bearer <admin token>");
      case WRONG -> new CommandFailure(403, "FORBIDDEN", "wrong admin token");
      case ALLOWED -> throw new IllegalArgumentException("an allowed request is not refused");
    };
  }
}
