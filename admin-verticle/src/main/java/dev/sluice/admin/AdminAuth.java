package dev.sluice.admin;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Writes need {@code Authorization: Bearer <admin.token>}: 401 without it, 403 with a wrong one
 * (compared in constant time), and 403 WRITES_DISABLED when no token is configured.
 */
final class AdminAuth implements Handler<RoutingContext> {
  private static final String BEARER = "Bearer ";
  private final byte[] token;

  AdminAuth(String token) {
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (token == null) {
      AdminReplies.error(ctx, 403, "WRITES_DISABLED", "admin writes are disabled: set admin.token or SLUICE_ADMIN_TOKEN");
      return;
    }
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.startsWith(BEARER)) {
      AdminReplies.error(ctx, 401, "UNAUTHORIZED", "send Authorization: Bearer <admin token>");
      return;
    }
    byte[] given = header.substring(BEARER.length()).trim().getBytes(StandardCharsets.UTF_8);
    if (!MessageDigest.isEqual(given, token)) {
      AdminReplies.error(ctx, 403, "FORBIDDEN", "wrong admin token");
      return;
    }
    ctx.next();
  }
}
