package dev.sluice.gateway.proxy;

import io.vertx.core.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * One line per answered request on the logger {@code sluice.access}, its facts as key-value
 * pairs (the node's encoder writes them as JSON fields or {@code key=value}). The request id is
 * passed with each line, never through an MDC, which does not follow a request across async code.
 */
final class AccessLog {
  private static final Logger LOG = LoggerFactory.getLogger("sluice.access");

  private final boolean enabled;

  AccessLog(boolean enabled) {
    this.enabled = enabled;
  }

  void log(Exchange exchange, int status) {
    if (!enabled || !LOG.isInfoEnabled()) {
      return;
    }
    LoggingEventBuilder line = LOG.atInfo()
      .addKeyValue("requestId", exchange.requestId());
    if (exchange.trace().traceId() != null) {
      // what a tracing backend is searched by: from this line to the request's spans
      line = line.addKeyValue("traceId", exchange.trace().traceId());
    }
    line = line
      // "none" as in the metrics' route label; the client is known only once a route matched.
      .addKeyValue("route", exchange.route() == null ? "none" : exchange.route().name());
    if (exchange.client() != null) {
      line = line.addKeyValue("client", exchange.client());
    }
    if (exchange.caller() != null && exchange.caller().id() != null) {
      // consumer=<id> or sub=<subject>: who the credentials say called, never the credentials
      line = line.addKeyValue(exchange.caller().kind(), exchange.caller().id());
    }
    line = line.addKeyValue("proto", proto(exchange.request().version()))
      .addKeyValue("method", exchange.request().method().name())
      .addKeyValue("path", exchange.path())
      .addKeyValue("status", status)
      .addKeyValue("durationMs", (System.nanoTime() - exchange.startNanos()) / 1_000_000.0)
      .addKeyValue("attempts", exchange.attempts());
    if (exchange.target() != null) {
      line = line.addKeyValue("target", exchange.target().name());
    }
    if (exchange.retrySkipped() != null) {
      line = line.addKeyValue("retrySkipped", exchange.retrySkipped());
    }
    if (exchange.cutShort() != null) {
      line = line.addKeyValue("cutShort", exchange.cutShort().label());
    }
    line.log("access");
  }

  /** ALPN's names for the protocols ({@code h2}, {@code http/1.1}), as other proxies' logs have them. */
  private static String proto(HttpVersion version) {
    return version == null ? "unknown" : version.alpnName();
  }
}
