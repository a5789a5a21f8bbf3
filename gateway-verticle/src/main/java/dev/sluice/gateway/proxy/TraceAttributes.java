package dev.sluice.gateway.proxy;

import dev.sluice.gateway.circuit.Admission;
import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.limit.RateLimitDecision;
import dev.sluice.gateway.upstream.Target;
import dev.sluice.gateway.upstream.UpstreamOutcome;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;

import java.util.Locale;

/**
 * What the stages learned about a request, as span attributes: OpenTelemetry's HTTP names where
 * there is one, {@code sluice.*} for the gateway's own verdicts (docs/operations.md, "Tracing").
 */
final class TraceAttributes {
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> PROTOCOL = AttributeKey.stringKey("network.protocol.version");
  static final AttributeKey<String> CLIENT = AttributeKey.stringKey("client.address");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("sluice.request_id");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("sluice.route");
  static final AttributeKey<String> RATE_LIMIT = AttributeKey.stringKey("sluice.rate_limit");
  static final AttributeKey<Long> RATE_LIMIT_REMAINING = AttributeKey.longKey("sluice.rate_limit.remaining");
  static final AttributeKey<String> CIRCUIT = AttributeKey.stringKey("sluice.circuit");
  static final AttributeKey<String> CIRCUIT_STATE = AttributeKey.stringKey("sluice.circuit.state");
  static final AttributeKey<String> CACHE = AttributeKey.stringKey("sluice.cache");
  static final AttributeKey<String> TARGET = AttributeKey.stringKey("sluice.target");
  static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("sluice.attempts");
  static final AttributeKey<String> ERROR = AttributeKey.stringKey("sluice.error");
  static final AttributeKey<String> CUT_SHORT = AttributeKey.stringKey("sluice.cut_short");

  private TraceAttributes() {
  }

  /** The server span's name: the method and the matched route's prefix (low cardinality, as OpenTelemetry asks). */
  static String serverSpanName(Exchange exchange) {
    String method = exchange.request().method().name();
    return exchange.route() == null ? method : method + " " + exchange.route().prefix();
  }

  static Attributes server(Exchange exchange, int status) {
    AttributesBuilder span = Attributes.builder()
      .put(METHOD, exchange.request().method().name())
      .put(PATH, exchange.path())
      .put(STATUS, (long) status)
      .put(REQUEST_ID, exchange.requestId())
      .put(ATTEMPTS, (long) exchange.attempts());
    if (exchange.request().version() != null) {
      span.put(PROTOCOL, exchange.request().version().alpnName());
    }
    if (exchange.route() != null) {
      span.put(ROUTE, exchange.route().name()).put(HTTP_ROUTE, exchange.route().prefix());
    }
    if (exchange.client() != null) {
      span.put(CLIENT, exchange.client());
    }
    RateLimitDecision limit = exchange.rateLimit();
    if (limit != null) {
      span.put(RATE_LIMIT, limit.allowed() ? "allowed" : "limited").put(RATE_LIMIT_REMAINING, (long) limit.remaining());
    }
    String circuit = circuitVerdict(exchange);
    if (circuit != null) {
      span.put(CIRCUIT, circuit);
    }
    if (exchange.cacheResult() != null) {
      span.put(CACHE, exchange.cacheResult().label());
    }
    if (exchange.target() != null) {
      span.put(TARGET, exchange.target().name());
    }
    if (exchange.error() != null) {
      span.put(ERROR, exchange.error().name());
    }
    if (exchange.cutShort() != null) {
      span.put(CUT_SHORT, exchange.cutShort().label());
    }
    return span.build();
  }

  /** What the circuit did with the request: let it through (call, or the half-open probe), refused it, or never saw it. */
  private static String circuitVerdict(Exchange exchange) {
    if (exchange.error() == GatewayError.CIRCUIT_OPEN) {
      return "open";
    }
    if (exchange.attempts() == 0) {
      return null;
    }
    return exchange.admission() == Admission.PROBE ? "probe" : "call";
  }

  /** An attempt's span, before it goes: where to, and the route's circuit as it stood. */
  static Attributes attempt(Exchange exchange, Target target) {
    return Attributes.builder()
      .put(METHOD, exchange.request().method().name())
      .put(SERVER_ADDRESS, target.host())
      .put(SERVER_PORT, (long) target.port())
      .put(TARGET, target.name())
      .put(CIRCUIT_STATE, exchange.circuit().state().name().toLowerCase(Locale.ROOT))
      .build();
  }

  /** The attempt's outcome as OpenTelemetry's {@code error.type}: null for an answer, whatever its status. */
  static String errorType(UpstreamOutcome outcome) {
    return switch (outcome.kind()) {
      case RESPONSE -> outcome.response().statusCode() >= 500 ? String.valueOf(outcome.response().statusCode()) : null;
      case CONNECT_FAILURE -> "connect_error";
      case TIMEOUT -> "timeout";
      case REQUEST_ABORTED -> "client_aborted";
      case BUSY -> "pool_busy";
    };
  }
}
