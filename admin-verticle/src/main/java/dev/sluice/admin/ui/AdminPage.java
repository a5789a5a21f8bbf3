package dev.sluice.admin.ui;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The live admin page at {@code /ui/}: static HTML, CSS and JavaScript from the jar
 * ({@code src/main/resources/sluice-ui}), no build step, nothing fetched from elsewhere. It reads
 * the admin API and then follows the event bus over the SockJS bridge; it is as open as the
 * listener's reads, and its writes need the token like every other write.
 */
public final class AdminPage {
  public static final String PATH = "/ui/";
  /** In the jar; read through Vert.x's file resolver (the classpath, when no such directory exists). */
  static final String WEB_ROOT = "sluice-ui";
  /**
   * Only this listener's own scripts, styles and connections (the bus's WebSocket included): a
   * page that can send admin commands must not run anything injected.
   */
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
    + "connect-src 'self' ws: wss:; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private AdminPage() {
  }

  public static void mount(Router router) {
    // vertx-web matches "/ui" for "/ui/" too: only the bare path is sent on, so relative links resolve.
    router.get("/ui").handler(ctx -> {
      if ("/ui".equals(ctx.request().path())) {
        ctx.redirect(PATH);
      } else {
        ctx.next();
      }
    });
    router.get(PATH + "*").handler(AdminPage::headers).handler(StaticHandler.create(WEB_ROOT)
      // A node upgraded in place must not leave operators on yesterday's script.
      .setCachingEnabled(false)
      .setDirectoryListing(false)
      .setIndexPage("index.html"));
  }

  private static void headers(RoutingContext ctx) {
    ctx.response()
      .putHeader("Content-Security-Policy", CONTENT_SECURITY_POLICY)
      .putHeader("X-Content-Type-Options", "nosniff")
      .putHeader("Referrer-Policy", "no-referrer")
      .putHeader("Cache-Control", "no-cache");
    ctx.next();
  }
}
