package dev.sluice.gateway.trace;

import dev.sluice.gateway.client.CidrBlock;
import dev.sluice.gateway.config.TrustIncoming;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.util.List;

/**
 * Where a request's trace begins: its server span, a child of the caller's W3C trace context when the
 * caller may give one ({@code tracing.trustIncoming}), else the root of a new trace. One per verticle
 * instance, over the node's tracer.
 *
 * <p>Spans are made here with the OpenTelemetry API rather than by Vert.x's tracing hooks
 * (vertx-opentelemetry): its server hook adopts the {@code traceparent} of every peer, with no say
 * per peer, and its client span is one per HTTP request with no room for our attributes, where a
 * retried call must show each attempt of our own retry loop as it went.
 */
public final class GatewayTracing {
  private static final TextMapPropagator W3C = W3CTraceContextPropagator.getInstance();

  private final NodeTracing node;
  private final TrustIncoming trust;
  private final List<CidrBlock> trustedProxies;

  public GatewayTracing(NodeTracing node, List<CidrBlock> trustedProxies) {
    this.node = node;
    this.trust = node.options().trustIncoming();
    this.trustedProxies = List.copyOf(trustedProxies);
  }

  /** Tracing off: every request gets {@link RequestTrace#OFF}, and headers pass as they came. */
  public static GatewayTracing off() {
    return new GatewayTracing(NodeTracing.off(), List.of());
  }

  /** Starts the request's server span (named by its method until the route is known). */
  public RequestTrace begin(HttpServerRequest request) {
    if (!node.enabled()) {
      return RequestTrace.OFF;
    }
    Context parent = adopts(request) ? W3C.extract(Context.root(), request.headers(), HeaderCarrier.INSTANCE)
      : Context.root();
    return new RequestTrace(node.tracer(), W3C, node.tracer().spanBuilder(request.method().name())
      .setParent(parent)
      .setSpanKind(SpanKind.SERVER)
      .startSpan());
  }

  private boolean adopts(HttpServerRequest request) {
    return switch (trust) {
      case ALL -> true;
      case NONE -> false;
      case TRUSTED -> trustedPeer(request.remoteAddress());
    };
  }

  /** The TCP peer, never X-Forwarded-For: whoever opened the connection is who hands us the header. */
  private boolean trustedPeer(SocketAddress peer) {
    if (peer == null || peer.hostAddress() == null) {
      return false;
    }
    for (CidrBlock block : trustedProxies) {
      if (block.contains(peer.hostAddress())) {
        return true;
      }
    }
    return false;
  }
}
