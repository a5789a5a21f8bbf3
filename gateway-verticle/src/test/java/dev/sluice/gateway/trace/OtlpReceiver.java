package dev.sluice.gateway.trace;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real OTLP/HTTP trace receiver on an ephemeral loopback port: it decodes each
 * {@code POST /v1/traces} as the protobuf {@code ExportTraceServiceRequest} a collector gets, keeps
 * its spans (with the service name of their resource) and answers as a collector does.
 */
final class OtlpReceiver {
  /** A received span, its ids in the lower-case hex that {@code traceparent} uses. */
  record Received(String service, Span span) {
    String traceId() {
      return hex(span.getTraceId().toByteArray());
    }

    String spanId() {
      return hex(span.getSpanId().toByteArray());
    }

    String parentSpanId() {
      return hex(span.getParentSpanId().toByteArray());
    }

    String attribute(String key) {
      return span.getAttributesList().stream().filter(a -> a.getKey().equals(key)).findFirst()
        .map(a -> a.getValue().hasIntValue() ? String.valueOf(a.getValue().getIntValue()) : a.getValue().getStringValue())
        .orElse(null);
    }
  }

  private final List<Received> spans = new CopyOnWriteArrayList<>();
  private final AtomicInteger exports = new AtomicInteger();
  private HttpServer server;

  Future<OtlpReceiver> start(Vertx vertx) {
    server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
      .requestHandler(request -> {
        if (request.method() != HttpMethod.POST || !request.path().equals("/v1/traces")) {
          request.response().setStatusCode(404).end();
          return;
        }
        request.body().onSuccess(body -> {
          try {
            keep(ExportTraceServiceRequest.parseFrom(body.getBytes()));
            request.response().putHeader("Content-Type", "application/x-protobuf")
              .end(Buffer.buffer(ExportTraceServiceResponse.getDefaultInstance().toByteArray()));
          } catch (InvalidProtocolBufferException e) {
            request.response().setStatusCode(400).end(e.getMessage());
          }
        });
      });
    return server.listen().map(s -> this);
  }

  private void keep(ExportTraceServiceRequest export) {
    exports.incrementAndGet();
    for (ResourceSpans resource : export.getResourceSpansList()) {
      String service = resource.getResource().getAttributesList().stream()
        .filter(a -> a.getKey().equals("service.name")).findFirst()
        .map(a -> a.getValue().getStringValue()).orElse(null);
      for (ScopeSpans scope : resource.getScopeSpansList()) {
        scope.getSpansList().forEach(span -> spans.add(new Received(service, span)));
      }
    }
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  int exports() {
    return exports.get();
  }

  List<Received> spans() {
    return new ArrayList<>(spans);
  }

  List<Received> spansOf(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
