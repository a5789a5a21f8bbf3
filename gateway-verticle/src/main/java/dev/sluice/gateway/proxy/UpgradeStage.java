package dev.sluice.gateway.proxy;

import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;

import java.util.Locale;

/**
 * Tells a WebSocket handshake ({@code Connection: Upgrade} with {@code Upgrade: websocket}) from a
 * plain request; it then passes route, limit and circuit like any other and becomes a tunnel on
 * the upstream's 101. Any other protocol upgrade is refused with 400: we could not carry it.
 * Except {@code h2c}: Java's own HttpClient (and curl with --http2) offers it on every plain
 * HTTP/1.1 request, and RFC 9113 §3.1 lets a server that does not take it up simply answer over
 * HTTP/1.1, which is what happens. An {@code Upgrade} header without {@code Connection: Upgrade}
 * is only a hop-by-hop header.
 */
final class UpgradeStage implements GatewayStage {
  static final String UPGRADE = "Upgrade";

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    MultiMap headers = exchange.request().headers();
    String upgrade = headers.get(UPGRADE);
    if (upgrade == null || !connectionListsUpgrade(headers)) {
      return exchange.proceed();
    }
    String protocol = upgrade.trim().toLowerCase(Locale.ROOT);
    if ("h2c".equals(protocol)) {
      return exchange.proceed();
    }
    if (!"websocket".equals(protocol)) {
      return Future.failedFuture(GatewayException.of(GatewayError.BAD_REQUEST,
        "cannot upgrade to '" + upgrade + "'; only websocket is supported"));
    }
    exchange.upgrade(true);
    return exchange.proceed();
  }

  private static boolean connectionListsUpgrade(MultiMap headers) {
    for (String value : headers.getAll(HttpHeaders.CONNECTION)) {
      for (String token : value.split(",")) {
        if ("upgrade".equalsIgnoreCase(token.trim())) {
          return true;
        }
      }
    }
    return false;
  }
}
