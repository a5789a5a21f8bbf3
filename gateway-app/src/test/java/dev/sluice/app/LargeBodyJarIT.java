package dev.sluice.app;

import dev.sluice.app.GatewayNodes.Node;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A gateway JVM with a 128 MB heap passes a 1 GB body each way, generated on the fly on both
 * ends: the data plane streams, so memory per request is bounded by buffers, not body size.
 */
class LargeBodyJarIT {
  private static final long GIGABYTE = 1024L * 1024 * 1024;
  private static final int BLOCK = 64 * 1024;
  private static final byte[] PATTERN = pattern();

  @RegisterExtension
  static final GatewayNodes nodes = GatewayNodes.standalone().jvmOptions("-Xmx128m").instances(1);

  @Test
  void aGigabyteStreamsBothWaysThroughA128MegabyteHeap() throws Exception {
    // Not the upstream-mock: this one generates and digests the bodies as they stream.
    HttpServer upstream = nodes.vertx.createHttpServer().requestHandler(LargeBodyJarIT::serve)
      .listen(0, "127.0.0.1").await();
    Node gateway = nodes.start("gateway", nodes.options().withHttp("maxBodyBytes: 0"),
      "redis: { url: \"" + nodes.redisUrl() + "\" }",
      "log: { access: false }",
      "routes:",
      "  - name: big",
      "    prefix: /big",
      "    upstream: http://127.0.0.1:" + upstream.actualPort(),
      "    stripPrefix: true",
      "    timeoutMs: 30000");
    int port = gateway.port();
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      awaitHealthy(client, port);

      HttpResponse<InputStream> download = client.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/big/bytes/" + GIGABYTE)).build(), HttpResponse.BodyHandlers.ofInputStream());
      assertEquals(200, download.statusCode());
      assertEquals(GIGABYTE + " " + expectedSha256(GIGABYTE), digest(download.body()));

      HttpRequest upload = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/big/sink"))
        .PUT(HttpRequest.BodyPublishers.fromPublisher(
          HttpRequest.BodyPublishers.ofInputStream(() -> new GeneratedStream(GIGABYTE)), GIGABYTE))
        .build();
      HttpResponse<String> uploaded = client.send(upload, HttpResponse.BodyHandlers.ofString());
      assertEquals(200, uploaded.statusCode(), uploaded.body());
      JsonObject seen = new JsonObject(uploaded.body());
      assertEquals(GIGABYTE, seen.getLong("bytes"));
      assertEquals(expectedSha256(GIGABYTE), seen.getString("sha256"));
      assertTrue(gateway.process().isAlive(), "the gateway survived: " + gateway.readLog());
    } finally {
      gateway.stop();
    }
  }

  private static void serve(HttpServerRequest request) {
    String path = request.path();
    if (path.startsWith("/bytes/")) {
      long length = Long.parseLong(path.substring("/bytes/".length()));
      HttpServerResponse response = request.response().putHeader("Content-Length", Long.toString(length));
      write(response, length, new long[] {0});
    } else if (path.equals("/sink")) {
      MessageDigest sha = sha256();
      long[] count = {0};
      request.handler(chunk -> {
        count[0] += chunk.length();
        sha.update(chunk.getBytes());
      });
      request.endHandler(v -> request.response().end(new JsonObject().put("bytes", count[0])
        .put("sha256", HexFormat.of().formatHex(sha.digest())).encode()));
    } else {
      request.response().setStatusCode(404).end();
    }
  }

  /** Writes with backpressure, so the upstream itself never holds the body either. */
  private static void write(HttpServerResponse response, long length, long[] written) {
    while (written[0] < length && !response.writeQueueFull()) {
      int n = (int) Math.min(BLOCK, length - written[0]);
      written[0] += n;
      response.write(Buffer.buffer(PATTERN).getBuffer(0, n));
    }
    if (written[0] >= length) {
      response.end();
    } else {
      response.drainHandler(v -> write(response, length, written));
    }
  }

  private static void awaitHealthy(HttpClient client, int port) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> health = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + port + "/__health")).build(), HttpResponse.BodyHandlers.ofString());
        if (health.statusCode() == 200) {
          return;
        }
      } catch (java.io.IOException notYet) {
        // not listening yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the gateway did not answer /__health within 60 s");
  }

  private static String digest(InputStream body) throws Exception {
    MessageDigest sha = sha256();
    byte[] buffer = new byte[BLOCK];
    long count = 0;
    try (body) {
      for (int n; (n = body.read(buffer)) > 0; ) {
        sha.update(buffer, 0, n);
        count += n;
      }
    }
    return count + " " + HexFormat.of().formatHex(sha.digest());
  }

  private static String expectedSha256(long length) throws Exception {
    return digest(new GeneratedStream(length)).split(" ")[1];
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] pattern() {
    byte[] bytes = new byte[BLOCK];
    for (int i = 0; i < BLOCK; i++) {
      bytes[i] = (byte) (i * 31 + (i >> 8));
    }
    return bytes;
  }

  /** The same bytes as the upstream's downloads, as an InputStream of any length. */
  private static final class GeneratedStream extends InputStream {
    private final long length;
    private long position;

    GeneratedStream(long length) {
      this.length = length;
    }

    @Override
    public int read() {
      return position < length ? PATTERN[(int) (position++ % BLOCK)] & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int offset, int count) {
      if (position >= length) {
        return -1;
      }
      int start = (int) (position % BLOCK);
      int n = (int) Math.min(Math.min(count, BLOCK - start), length - position);
      System.arraycopy(PATTERN, start, into, offset, n);
      position += n;
      return n;
    }
  }
}
