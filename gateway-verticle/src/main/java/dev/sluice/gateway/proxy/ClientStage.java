package dev.sluice.gateway.proxy;

import dev.sluice.gateway.client.ClientIdentityResolver;
import io.vertx.core.Future;

/** Names the client the rate limit counts this request against. */
final class ClientStage implements GatewayStage {
  private final ClientIdentityResolver resolver;

  ClientStage(ClientIdentityResolver resolver) {
    this.resolver = resolver;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    exchange.client(resolver.resolve(exchange.request(), exchange.peerHost()));
    return exchange.proceed();
  }
}
