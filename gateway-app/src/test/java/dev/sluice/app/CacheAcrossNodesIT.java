package dev.sluice.app;

import dev.sluice.app.GatewayNodes.Node;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The response cache across two gateway JVMs (the fat jar, two verticle instances each, a 128 MB
 * heap), one Redis, one upstream-mock: concurrent misses on both nodes make one upstream call,
 * and an answer far larger than {@code maxBodyBytes} streams through uncached.
 */
class CacheAcrossNodesIT {
  static final long HUGE = 64L * 1024 * 1024;
  static final int BLOCK = 64 * 1024;

  @RegisterExtension
  static final GatewayNodes nodes = GatewayNodes.standalone().jvmOptions("-Xmx128m").instances(2);
  static Node nodeA;
  static Node nodeB;
  static HttpServer huge;
  static final AtomicInteger hugeCalls = new AtomicInteger();
  static HttpClient client;

  @BeforeAll
  static void start() throws Exception {
    huge = nodes.vertx.createHttpServer().requestHandler(CacheAcrossNodesIT::serveHuge).listen(0, "127.0.0.1").await();
    // Both JVMs start side by side; then wait for each.
    nodeA = launch("a");
    nodeB = launch("b");
    nodeA = nodes.awaitListening(nodeA);
    nodeB = nodes.awaitListening(nodeB);
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  static Node launch(String name) throws IOException {
    return nodes.launch(name,
      "redis: { url: \"" + nodes.redisUrl() + "\", timeoutMs: 2000 }",
      "log: { access: false }",
      "routes:",
      "  - name: catalog",
      "    prefix: /cacheable",
      "    upstream: " + nodes.mockUrl(),
      "    timeoutMs: 10000",
      "    cache: { ttlSeconds: 60 }",
      "  - name: huge",
      "    prefix: /huge",
      "    upstream: http://127.0.0.1:" + huge.actualPort(),
      "    timeoutMs: 30000",
      "    cache: { ttlSeconds: 60 }");
  }

  @Test
  void sixtyFourConcurrentGetsSplitAcrossTwoJvmsMakeOneUpstreamCall() throws Exception {
    String path = "/cacheable/stampede-" + System.nanoTime();
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      Node node = i % 2 == 0 ? nodeA : nodeB;
      calls.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path + "?delayMs=500"))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString()));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    assertTrue(calls.stream().allMatch(c -> c.join().statusCode() == 200));
    Set<String> bodies = calls.stream().map(c -> c.join().body()).collect(Collectors.toSet());
    assertEquals(1, bodies.size(), "all 64 got the same body: " + bodies);
    HttpResponse<String> stats = client.send(HttpRequest.newBuilder(
      URI.create(nodes.mockUrl() + "/__mock/stats")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(1, new JsonObject(stats.body()).getJsonObject("byPath").getLong(path, 0L), "upstream calls for " + path);
  }

  @Test
  void aSixtyFourMegabyteAnswerStreamsThroughA128MegabyteHeapAndIsNotStored() throws Exception {
    String expected = sha256Of(HUGE);
    for (int i = 0; i < 2; i++) {
      HttpResponse<InputStream> download = client.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + nodeA.port() + "/huge/body")).build(), HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, download.statusCode());
      assertEquals("MISS", download.headers().firstValue("X-Cache").orElse(null));
      assertEquals(HUGE + " " + expected, digest(download.body()));
    }
    assertEquals(2, hugeCalls.get(), "too large to store: each GET went upstream");
    assertTrue(nodeA.process().isAlive(), "the node survived: " + nodeA.readLog());
  }

  /** A chunked answer (no Content-Length), so only the relay discovers that it is too large. */
  private static void serveHuge(HttpServerRequest request) {
    hugeCalls.incrementAndGet();
    HttpServerResponse response = request.response().setChunked(true).putHeader("Cache-Control", "max-age=60");
    write(response, new long[] {0});
  }

  private static void write(HttpServerResponse response, long[] written) {
    while (written[0] < HUGE && !response.writeQueueFull()) {
      int n = (int) Math.min(BLOCK, HUGE - written[0]);
      written[0] += n;
      response.write(Buffer.buffer(block()).getBuffer(0, n));
    }
    if (written[0] >= HUGE) {
      response.end();
    } else {
      response.drainHandler(v -> write(response, written));
    }
  }

  private static byte[] block() {
    byte[] block = new byte[BLOCK];
    for (int i = 0; i < BLOCK; i++) {
      block[i] = (byte) (i * 31 + i / 256);
    }
    return block;
  }

  private static String sha256Of(long length) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] block = block();
    for (long done = 0; done < length; done += BLOCK) {
      sha.update(block, 0, (int) Math.min(BLOCK, length - done));
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private static String digest(InputStream body) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] buffer = new byte[BLOCK];
    long total = 0;
    try (body) {
      for (int n; (n = body.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
        total += n;
      }
    }
    return total + " " + HexFormat.of().formatHex(sha.digest());
  }
}
