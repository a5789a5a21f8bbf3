package dev.sluice.app;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing as a user turns it on: the fat jar (its shaded SDK and JDK HTTP sender), only
 * {@code OTEL_EXPORTER_OTLP_ENDPOINT} in the environment, and a real OTLP/HTTP receiver. The last
 * request's spans are sent before the stopped node exits.
 */
class TracingJarIT {
  @RegisterExtension
  static final GatewayNodes nodes = GatewayNodes.standalone().instances(1);

  private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";

  @Test
  void aTracedRetryReachesTheCollectorFromTheJarAndStopLosesNoSpan() throws Exception {
    List<Span> received = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/v1/traces", exchange -> {
      ExportTraceServiceRequest export = ExportTraceServiceRequest.parseFrom(exchange.getRequestBody().readAllBytes());
      export.getResourceSpansList().forEach(r -> r.getScopeSpansList().forEach(s -> received.addAll(s.getSpansList())));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    collector.start();
    GatewayNodes.NodeOptions traced = nodes.options()
      .withEnv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort());
    GatewayNodes.Node node = nodes.start("traced", traced,
      "redis: { url: \"" + nodes.redisUrl() + "\" }",
      "clients: { trustedProxies: [127.0.0.1/32] }",
      "routes:",
      "  - { name: users, prefix: /users, upstream: \"" + nodes.mockUrl() + "\", stripPrefix: true,",
      "      retry: { maxAttempts: 2, initialDelayMs: 10, jitter: none } }");
    int port = node.port();
    try {
      assertTrue(node.readLog().contains("sluice: tracing to http://127.0.0.1:"), node.readLog());
      HttpResponse<String> answer = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/users/flaky/jar-k?fail=1"))
          .header("traceparent", "00-" + TRACE + "-b7ad6b7169203331-01").timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answer.statusCode(), answer.body());
    } finally {
      // at once: the spans may still be queued, and the stop must send them
      node.stop();
      collector.stop(0);
    }
    List<Span> ours = received.stream().filter(s -> HexFormat.of().formatHex(s.getTraceId().toByteArray()).equals(TRACE))
      .toList();
    assertEquals(1, ours.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_SERVER).count(), ours.toString());
    assertEquals(2, ours.stream().filter(s -> s.getKind() == Span.SpanKind.SPAN_KIND_CLIENT).count(),
      "one client span per attempt: " + ours);
    assertTrue(node.readLog().contains("\"traceId\":\"" + TRACE + "\""), "the access line carries the trace id");
  }
}
