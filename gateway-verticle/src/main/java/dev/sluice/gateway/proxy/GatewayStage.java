package dev.sluice.gateway.proxy;

import io.vertx.core.Future;

/**
 * One concern of the request path. A stage either answers (a reply, or a failed future with a
 * {@link dev.sluice.gateway.error.GatewayException}) or hands the exchange on with
 * {@link Exchange#proceed()} — so a stage can stop a request without knowing the stages after it.
 */
@FunctionalInterface
public interface GatewayStage {
  Future<ProxyReply> handle(Exchange exchange);
}
