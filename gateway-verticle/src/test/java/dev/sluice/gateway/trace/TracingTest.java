package dev.sluice.gateway.trace;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.LocalRedis;
import dev.sluice.gateway.config.TracingOptions;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tracing end to end: a real gateway and upstream-mock, the node's real SDK and exporter, and a real
 * OTLP/HTTP receiver (or none at all, for the dead collector). Runs on the test thread, which may wait.
 */
@ExtendWith(VertxExtension.class)
class TracingTest {
  @RegisterExtension
  static final LocalRedis redis = new LocalRedis();

  private static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CLIENT_SPAN = "00f067aa0ba902b7";
  private static final String TRACEPARENT = "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01";
  /** Bounds a loaded 2-core machine keeps many times over: spans are exported about once a second. */
  private static final long WAIT_MS = 20_000;

  private final List<Runnable> cleanup = new ArrayList<>();

  @AfterEach
  void cleanUp() {
    cleanup.forEach(Runnable::run);
  }

  @Test
  void aRequestRetriedTwiceShowsOneServerSpanAndThreeAttemptsInTheTrustedClientsTrace(Vertx vertx) throws Exception {
    OtlpReceiver collector = collector(vertx);
    ListAppender<ILoggingEvent> access = accessLog();
    GatewayFixture gateway = gateway(vertx, tracing(collector.endpoint(), 1.0, "trusted"), "127.0.0.1/32");

    HttpResponse<?> answer = gateway.client.get("/r/flaky/trace-k?fail=2").putHeader("traceparent", TRACEPARENT)
      .putHeader("tracestate", "vendor=abc").timeout(10_000).send().await();

    assertEquals(200, answer.statusCode(), "the third attempt answers");
    poll(() -> collector.spansOf(CLIENT_TRACE).size() >= 4, "one server and three client spans");
    List<OtlpReceiver.Received> spans = collector.spansOf(CLIENT_TRACE);
    List<OtlpReceiver.Received> servers = spans.stream().filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_SERVER).toList();
    List<OtlpReceiver.Received> clients = spans.stream().filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_CLIENT)
      .sorted(Comparator.comparingLong(s -> s.span().getStartTimeUnixNano())).toList();
    assertEquals(1, servers.size(), "one server span: " + spans);
    assertEquals(3, clients.size(), "one client span per attempt: " + spans);
    OtlpReceiver.Received server = servers.get(0);
    assertEquals(CLIENT_SPAN, server.parentSpanId(), "the server span is a child of the client's span");
    assertEquals("sluice", server.service());
    assertEquals("GET /r", server.span().getName());
    assertEquals("retry", server.attribute("sluice.route"));
    assertEquals("allowed", server.attribute("sluice.rate_limit"));
    assertEquals("call", server.attribute("sluice.circuit"));
    assertEquals("3", server.attribute("sluice.attempts"));
    assertEquals("200", server.attribute("http.response.status_code"));
    assertNotNull(server.attribute("sluice.target"));
    assertEquals("vendor=abc", server.span().getTraceState(), "the trusted caller's tracestate is kept");
    for (int i = 0; i < 3; i++) {
      OtlpReceiver.Received attempt = clients.get(i);
      assertEquals(server.spanId(), attempt.parentSpanId(), "each attempt is a child of the server span");
      assertEquals(String.valueOf(i + 1), attempt.attribute("sluice.attempt"));
      assertEquals(i < 2 ? "503" : "200", attempt.attribute("http.response.status_code"));
      assertEquals("closed", attempt.attribute("sluice.circuit.state"));
      if (i > 0) {
        // the attempts follow one another: the retry's delay is the gap between two spans
        assertTrue(attempt.span().getStartTimeUnixNano() >= clients.get(i - 1).span().getEndTimeUnixNano(),
          "attempt " + (i + 1) + " starts after attempt " + i + " ended");
      }
    }
    assertTrue(clients.get(0).span().getStartTimeUnixNano() >= server.span().getStartTimeUnixNano()
      && clients.get(2).span().getEndTimeUnixNano() <= server.span().getEndTimeUnixNano(), "the attempts lie within the request");
    String logged = poll(access, CLIENT_TRACE);
    assertEquals(CLIENT_TRACE, logged, "the access line carries the trace id");
  }

  @Test
  void theUpstreamSeesTheAttemptsSpanAsItsParent(Vertx vertx) throws Exception {
    OtlpReceiver collector = collector(vertx);
    GatewayFixture gateway = gateway(vertx, tracing(collector.endpoint(), 1.0, "trusted"), "127.0.0.1/32");

    JsonObject echo = gateway.client.get("/r/anything/x").putHeader("traceparent", TRACEPARENT).timeout(10_000).send()
      .await().bodyAsJsonObject();

    String sent = header(echo, "traceparent");
    assertTrue(sent.startsWith("00-" + CLIENT_TRACE + "-"), "the client's trace goes on upstream: " + sent);
    String parent = sent.split("-")[2];
    poll(() -> collector.spansOf(CLIENT_TRACE).size() >= 2, "the server and the client span");
    OtlpReceiver.Received attempt = collector.spansOf(CLIENT_TRACE).stream()
      .filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_CLIENT).findFirst().orElseThrow();
    assertEquals(attempt.spanId(), parent, "the upstream's parent is the attempt's span, not the client's");
  }

  @Test
  void anUntrustedClientsTraceparentIsNotAdopted(Vertx vertx) throws Exception {
    OtlpReceiver collector = collector(vertx);
    // The test's client connects from 127.0.0.1, which this list does not hold.
    GatewayFixture gateway = gateway(vertx, tracing(collector.endpoint(), 1.0, "trusted"), "10.0.0.0/8");

    JsonObject echo = gateway.client.get("/r/anything/y").putHeader("traceparent", TRACEPARENT)
      .putHeader("tracestate", "vendor=forged").timeout(10_000).send().await().bodyAsJsonObject();

    String sent = header(echo, "traceparent");
    String ownTrace = sent.split("-")[1];
    assertNotEquals(CLIENT_TRACE, ownTrace, "a new trace, not the client's: " + sent);
    assertEquals(null, header(echo, "tracestate"), "nor its tracestate");
    poll(() -> collector.spansOf(ownTrace).size() >= 2, "the new trace's spans");
    OtlpReceiver.Received server = collector.spansOf(ownTrace).stream()
      .filter(s -> s.span().getKind() == SpanKind.SPAN_KIND_SERVER).findFirst().orElseThrow();
    assertEquals("", server.parentSpanId(), "the server span is a root");
    assertTrue(collector.spansOf(CLIENT_TRACE).isEmpty(), "nothing in the client's trace");
  }

  @ParameterizedTest(name = "trustIncoming {0}, trustedProxies {1}: adopted {2}")
  @CsvSource({"none, 127.0.0.1/32, false", "all, 10.0.0.0/8, true", "trusted, 127.0.0.1/32, true",
    "trusted, 10.0.0.0/8, false"})
  void trustIncomingDecidesWhoseTraceparentIsAdopted(String trust, String trustedProxies, boolean adopted, Vertx vertx) {
    OtlpReceiver collector = collector(vertx);
    GatewayFixture gateway = gateway(vertx, tracing(collector.endpoint(), 1.0, trust), trustedProxies);

    JsonObject echo = gateway.client.get("/r/anything/t").putHeader("traceparent", TRACEPARENT).timeout(10_000).send()
      .await().bodyAsJsonObject();

    String sent = header(echo, "traceparent");
    assertEquals(adopted, sent.split("-")[1].equals(CLIENT_TRACE), "sent upstream: " + sent);
    assertNotEquals(CLIENT_SPAN, sent.split("-")[2], "the parent upstream is ours, never the client's span");
  }

  @Test
  void withTracingOffTheClientsTraceHeadersPassThroughUntouched(Vertx vertx) {
    GatewayFixture gateway = GatewayFixture.start(vertx, GatewayNode.standalone(),
      mock -> config(mock, null, 1.0, "127.0.0.1/32").put("tracing", new JsonObject())).await();

    JsonObject echo = gateway.client.get("/r/anything/off").putHeader("traceparent", TRACEPARENT)
      .putHeader("tracestate", "vendor=abc").timeout(10_000).send().await().bodyAsJsonObject();

    assertEquals(TRACEPARENT, header(echo, "traceparent"));
    assertEquals("vendor=abc", header(echo, "tracestate"));
  }

  @Test
  void noSpanArrivesWithSampleRatioZero(Vertx vertx) throws Exception {
    OtlpReceiver collector = collector(vertx);
    ListAppender<ILoggingEvent> access = accessLog();
    NodeTracing tracing = tracing(collector.endpoint(), 0.0, "trusted");
    GatewayFixture gateway = gateway(vertx, tracing, "127.0.0.1/32");

    JsonObject echo = null;
    for (int i = 0; i < 10; i++) {
      HttpResponse<?> answer = gateway.client.get("/r/anything/z" + i).timeout(10_000).send().await();
      assertEquals(200, answer.statusCode());
      echo = answer.bodyAsJsonObject();
    }
    // What was queued is exported by the shutdown, before it completes: nothing may be left behind.
    tracing.shutdown().await(WAIT_MS, TimeUnit.MILLISECONDS);

    assertEquals(0, collector.exports(), "no export: " + collector.spans());
    String sent = header(echo, "traceparent");
    // the flags' lowest bit is "sampled" (W3C trace context; the SDK may set the "random" bit, 0x02)
    assertEquals(0, Integer.parseInt(sent.split("-")[3], 16) & 1, "the upstream is told the trace is not sampled: " + sent);
    assertEquals(sent.split("-")[1], poll(access, sent.split("-")[1]), "the trace id is logged all the same");
  }

  @Test
  void aDeadCollectorCostsRequestsNothingAndItsSpansAreCounted(Vertx vertx) throws Exception {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    String dead = closedPort();
    NodeTracing tracing = NodeTracing.start(options(dead, 1.0, "trusted"), meters, "dead-collector");
    cleanup.add(() -> tracing.shutdown().await());
    GatewayFixture gateway = GatewayFixture.start(vertx, GatewayNode.standalone(meters).withTracing(tracing),
      mock -> config(mock, dead, 1.0, "127.0.0.1/32")).await();

    int rounds = 10;
    int concurrent = 20;
    for (int round = 0; round < rounds; round++) {
      List<Future<HttpResponse<io.vertx.core.buffer.Buffer>>> answers = new ArrayList<>();
      for (int i = 0; i < concurrent; i++) {
        // each request within its own timeout: a request slowed by the exporter would fail here
        answers.add(gateway.client.get("/r/anything/dead-" + round + "-" + i).timeout(5_000).send());
      }
      for (Future<HttpResponse<io.vertx.core.buffer.Buffer>> answer : answers) {
        assertEquals(200, answer.await().statusCode());
      }
    }

    FunctionCounter dropped = meters.get("sluice.tracing.spans.dropped").functionCounter();
    poll(() -> dropped.count() > 0, "sluice_tracing_spans_dropped_total rises");
    tracing.shutdown().await(WAIT_MS, TimeUnit.MILLISECONDS);
    assertEquals(2L * rounds * concurrent, tracing.droppedSpans(),
      "every span (one server, one client per request) counted as dropped, none lost silently");
  }

  private OtlpReceiver collector(Vertx vertx) {
    OtlpReceiver collector = new OtlpReceiver().start(vertx).await();
    cleanup.add(() -> collector.close().await());
    return collector;
  }

  private NodeTracing tracing(String endpoint, double ratio, String trust) {
    NodeTracing tracing = NodeTracing.start(options(endpoint, ratio, trust), new SimpleMeterRegistry(), "test-node");
    cleanup.add(() -> tracing.shutdown().await());
    return tracing;
  }

  private static TracingOptions options(String endpoint, double ratio, String trust) {
    return new TracingOptions(tracingJson(endpoint, ratio, trust));
  }

  private static JsonObject tracingJson(String endpoint, double ratio, String trust) {
    return new JsonObject().put("otlpEndpoint", endpoint).put("sampleRatio", ratio).put("trustIncoming", trust);
  }

  private GatewayFixture gateway(Vertx vertx, NodeTracing tracing, String trustedProxies) {
    return GatewayFixture.start(vertx, GatewayNode.standalone().withTracing(tracing),
      mock -> config(mock, tracing.options().otlpEndpoint(), tracing.options().sampleRatio(), trustedProxies)).await();
  }

  /** A route that retries a GET up to three times, 20 ms apart at first. */
  private static JsonObject config(String mock, String endpoint, double ratio, String trustedProxies) {
    return GatewayFixture.config(redis.url(), new JsonArray().add(route("retry", "/r", mock).put("stripPrefix", true)
        .put("retry", new JsonObject().put("maxAttempts", 3).put("initialDelayMs", 20).put("multiplier", 2.0)
          .put("jitter", "none"))
        .put("circuit", new JsonObject().put("failureThreshold", 100))))
      .put("clients", new JsonObject().put("trustedProxies", new JsonArray().add(trustedProxies)))
      .put("tracing", endpoint == null ? new JsonObject() : tracingJson(endpoint, ratio, "trusted"));
  }

  private ListAppender<ILoggingEvent> accessLog() {
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    Logger logger = (Logger) LoggerFactory.getLogger("sluice.access");
    ch.qos.logback.classic.Level level = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    logger.addAppender(appender);
    cleanup.add(() -> {
      logger.detachAppender(appender);
      logger.setLevel(level);
    });
    return appender;
  }

  /** @return the traceId of the first access line that has {@code traceId}, once one has */
  private static String poll(ListAppender<ILoggingEvent> access, String traceId) throws InterruptedException {
    poll(() -> access.list.stream().anyMatch(line -> traceId.equals(traceIdOf(line))), "an access line with " + traceId);
    return traceId;
  }

  private static String traceIdOf(ILoggingEvent line) {
    if (line.getKeyValuePairs() == null) {
      return null;
    }
    return line.getKeyValuePairs().stream().filter(p -> p.key.equals("traceId")).findFirst()
      .map(p -> String.valueOf(p.value)).orElse(null);
  }

  private static String header(JsonObject echo, String name) {
    JsonObject headers = echo.getJsonObject("headers");
    return headers.fieldNames().stream().filter(n -> n.equalsIgnoreCase(name)).findFirst()
      .map(n -> headers.getJsonArray(n).getString(0)).orElse(null);
  }

  private static void poll(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
    while (!condition.getAsBoolean()) {
      assertFalse(System.nanoTime() > deadline, "not within " + WAIT_MS + " ms: " + what);
      Thread.sleep(20);
    }
  }

  /** A loopback URL that refuses connections: the port was free a moment ago and nothing listens on it. */
  private static String closedPort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "http://127.0.0.1:" + socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
