package dev.sluice.admin;

import dev.sluice.admin.command.AdminToken;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes need {@code Authorization: Bearer <admin.token>}: 401 without it, 403 with a wrong one,
 * and 403 WRITES_DISABLED when no token is configured ({@link AdminToken}, the check the bridges
 * make too).
 */
final class AdminAuth implements Handler<RoutingContext> {
  private final AdminToken token;

  AdminAuth(AdminToken token) {
    this.token = token;
  }

  @Override
  public void handle(RoutingContext ctx) {
    AdminToken.Verdict verdict = token.check(ctx.request().getHeader("Authorization"));
    if (verdict == AdminToken.Verdict.ALLOWED) {
      ctx.next();
    } else {
      AdminReplies.failure(ctx, AdminToken.refusal(verdict));
    }
  }
}
