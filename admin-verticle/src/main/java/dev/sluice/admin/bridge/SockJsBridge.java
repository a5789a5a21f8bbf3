package dev.sluice.admin.bridge;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;

import java.net.URI;

/**
 * The event bus for browsers: a SockJS bridge, mounted at {@code /eventbus} on the admin listener
 * (the raw WebSocket, which the admin page speaks, at {@code /eventbus/websocket}), with
 * {@link BridgePermissions} and {@link BridgeGuard}.
 * <p>
 * WebSockets are not bound by the same-origin policy: any page an operator has open could connect
 * to a loopback admin port. A request whose {@code Origin} is not this listener is refused, so only
 * the admin page itself (and clients that send no Origin: scripts, not browsers) get in.
 */
public final class SockJsBridge {
  public static final String PATH = "/eventbus";

  private SockJsBridge() {
  }

  public static void mount(Vertx vertx, Router router, BridgeGuard guard) {
    Router bridge = SockJSHandler.create(vertx).bridge(BridgePermissions.applyTo(new SockJSBridgeOptions()),
      event -> guard.inspect(event).ifPresentOrElse(
        frame -> {
          event.socket().write(frame.encode());
          event.complete(false);
        },
        () -> event.complete(true)));
    router.route(PATH + "/*").handler(SockJsBridge::sameOriginOnly);
    router.route(PATH + "/*").subRouter(bridge);
  }

  private static void sameOriginOnly(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    if (origin == null || sameHost(origin, ctx.request().authority() == null ? null
      : ctx.request().authority().toString())) {
      ctx.next();
    } else {
      ctx.response().setStatusCode(403).end("cross-origin access to the event bus is refused");
    }
  }

  private static boolean sameHost(String origin, String authority) {
    try {
      URI uri = URI.create(origin);
      return authority != null && uri.getRawAuthority() != null && uri.getRawAuthority().equalsIgnoreCase(authority);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
