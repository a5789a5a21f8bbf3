package dev.sluice.gateway.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.vertx.core.MultiMap;

import java.util.function.Supplier;

/**
 * The spans of one request: the server span, from the request's arrival to its last byte (or the
 * connection's end), and one client span per upstream attempt, from the attempt's start (waiting for
 * a pooled connection included) to the upstream's answer head, so the gap between two of them is the
 * retry's delay. Used on the request's event loop only.
 */
public final class RequestTrace {
  /** Tracing off: no span, and the client's own trace headers go upstream untouched. */
  public static final RequestTrace OFF = new RequestTrace(null, null, Span.getInvalid());

  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("sluice.attempt");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  private static final String TRACEPARENT = "traceparent";
  private static final String TRACESTATE = "tracestate";

  private final Tracer tracer;
  private final TextMapPropagator propagator;
  private final Span server;
  private Span attempt;

  RequestTrace(Tracer tracer, TextMapPropagator propagator, Span server) {
    this.tracer = tracer;
    this.propagator = propagator;
    this.server = server;
  }

  /**
   * Whether this request's spans are recorded (tracing on and the trace sampled): the pipeline
   * gathers attributes only then, so an unsampled request costs no more than its ids.
   */
  public boolean recording() {
    return tracer != null && server.isRecording();
  }

  /**
   * Whether tracing is on for this request (sampled or not): callers skip building what they
   * would pass (suppliers, names) when it is off, so tracing off costs a request nothing.
   */
  public boolean on() {
    return tracer != null;
  }

  /** @return the trace id (32 hex digits), sampled or not; null with tracing off */
  public String traceId() {
    return server.getSpanContext().isValid() ? server.getSpanContext().getTraceId() : null;
  }

  /**
   * Starts the client span of the next attempt (the one before it has ended); even unsampled, it
   * gives the upstream a parent id of its own.
   *
   * @param attributes where to and the circuit's state, gathered only while {@link #recording()}
   */
  public void attemptStarted(String method, long number, Supplier<Attributes> attributes) {
    if (tracer == null) {
      return;
    }
    SpanBuilder span = tracer.spanBuilder(method)
      .setParent(Context.root().with(server))
      .setSpanKind(SpanKind.CLIENT);
    if (recording()) {
      span.setAllAttributes(attributes.get()).setAttribute(ATTEMPT, number);
    }
    attempt = span.startSpan();
  }

  /**
   * Ends the attempt's span at the upstream's answer head.
   *
   * @param status    the upstream's status, or 0 when there was no answer
   * @param errorType why there was none ({@code connect_error}, {@code timeout}…), or null
   */
  public void attemptEnded(int status, String errorType, boolean failed) {
    if (attempt == null) {
      return;
    }
    if (!attempt.isRecording()) {
      attempt.end();
      return;
    }
    if (status > 0) {
      attempt.setAttribute(STATUS, status);
    }
    if (errorType != null) {
      attempt.setAttribute(ERROR_TYPE, errorType);
    }
    if (failed) {
      attempt.setStatus(StatusCode.ERROR);
    }
    attempt.end();
  }

  /**
   * Writes this attempt's trace context into the upstream request in place of the client's: the
   * upstream's spans are children of our client span. A client's {@code tracestate} goes on only
   * when its {@code traceparent} was adopted: our spans inherit the adopted parent's trace state.
   */
  public void propagate(MultiMap headers) {
    if (tracer == null) {
      return;
    }
    headers.remove(TRACEPARENT);
    headers.remove(TRACESTATE);
    Span current = attempt != null ? attempt : server;
    propagator.inject(Context.root().with(current), headers, HeaderCarrier.INSTANCE);
  }

  /**
   * Ends the server span once the answer is over.
   *
   * @param name the span's name now that the route is known ({@code GET /users})
   */
  public void end(Supplier<String> name, Supplier<Attributes> attributes, boolean failed) {
    if (tracer == null) {
      return;
    }
    if (recording()) {
      server.updateName(name.get());
      server.setAllAttributes(attributes.get());
      if (failed) {
        server.setStatus(StatusCode.ERROR);
      }
    }
    server.end();
  }
}
