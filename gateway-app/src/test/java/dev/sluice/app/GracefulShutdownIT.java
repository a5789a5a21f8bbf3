package dev.sluice.app;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * SIGTERM to the fat jar, as {@code docker stop} and Kubernetes send it ({@link Process#destroy()}
 * on Linux): the request in flight is answered, idle connections are closed rather than waited
 * on, a new connection is refused or answered but never left hanging, and the JVM exits.
 */
class GracefulShutdownIT {
  /** Long enough that the signal surely lands while the upstream is still working on it. */
  static final int UPSTREAM_DELAY_MS = 6000;
  static final int GRACE_SECONDS = 20;

  @RegisterExtension
  static final GatewayNodes parts = GatewayNodes.standalone();

  @ParameterizedTest(name = "cluster={0}")
  @ValueSource(booleans = {false, true})
  void sigtermAnswersTheRequestInFlightThenTheNodeExits(boolean cluster) throws Exception {
    GatewayNodes.NodeOptions options = parts.options().withInstances(2)
      .withEnv("SLUICE_SHUTDOWN_GRACE_SECONDS", String.valueOf(GRACE_SECONDS));
    if (cluster) {
      int clusterPort = SluiceJarIT.freePort();
      options = options.withArgs("--cluster")
        .withEnv("SLUICE_CLUSTER_NAME", "sluice-shutdown-it-" + clusterPort)
        .withEnv("SLUICE_CLUSTER_PORT", String.valueOf(clusterPort))
        .withEnv("SLUICE_CLUSTER_MEMBERS", "127.0.0.1:" + clusterPort);
    }
    // Its output goes to a file: Process.destroy() closes this side's pipes after the signal, and
    // the node's lines from then on are the point of the test.
    GatewayNodes.Node node = parts.launch(cluster ? "clustered" : "alone", options,
      "redis: { url: \"" + parts.redisUrl() + "\", timeoutMs: 2000 }",
      "routes:",
      "  - { name: slow, prefix: /delay, upstream: \"" + parts.mockUrl() + "\", timeoutMs: 30000,",
      "      retry: { maxAttempts: 1 } }");
    int port = node.port();
    Process process = node.process();
    Path log = node.log();
    Output output = new Output(log);
    try {
      output.await(line -> line.startsWith("sluice: gateway listening"), 90);

      Socket idle = keepAliveConnection(port);
      String requestId = "drain-it-" + port;
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      CompletableFuture<HttpResponse<String>> inFlight = client.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/delay/" + UPSTREAM_DELAY_MS))
          .header("X-Request-Id", requestId).timeout(Duration.ofSeconds(60)).build(),
        HttpResponse.BodyHandlers.ofString());
      ClusterIT.eventually(20, "the upstream has the request", () -> mockCallsWith(requestId) == 1);

      process.destroy(); // SIGTERM
      output.await(line -> line.startsWith("sluice: stopping"), 20);

      // Closed by the node at once, not left open until the grace runs out: the request in flight
      // (the upstream still has seconds to go) has not been answered yet.
      idle.setSoTimeout((GRACE_SECONDS + 10) * 1000);
      assertEquals(-1, idle.getInputStream().read(), "an idle keep-alive connection is closed");
      assertFalse(inFlight.isDone(), () -> "the request in flight was over before the idle connection closed: "
        + inFlight.handle((r, e) -> e == null ? r.statusCode() + " " + r.body() : e.toString()).join());
      idle.close();

      assertNewConnectionsAreRefusedOrAnswered(port);

      HttpResponse<String> answer = inFlight.get(60, TimeUnit.SECONDS);
      assertEquals(200, answer.statusCode(), answer.body());
      assertEquals(UPSTREAM_DELAY_MS, new JsonObject(answer.body()).getInteger("delayMs"), answer.body());

      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the node exits once drained\n" + output);
      // 128 + SIGTERM: what the JVM reports for a process ended by SIGTERM once its shutdown hooks
      // have run. Not an error exit of the node: a failed start is 1 or 2.
      assertEquals(143, process.exitValue(), output.toString());
      List<String> lines = output.lines();
      int stopping = indexOf(lines, line -> line.startsWith("sluice: stopping"));
      int answered = indexOf(lines, line -> line.contains("\"sluice.access\"") && line.contains(requestId));
      assertTrue(stopping >= 0 && answered > stopping, "answered after the drain began\n" + output);
      assertTrue(lines.contains("sluice: stopped"), "Vert.x closed within its bound\n" + output);
    } finally {
      process.destroyForcibly();
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }

  /** A client's pooled connection: one request answered, then left open and idle. */
  static Socket keepAliveConnection(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(20_000);
    socket.getOutputStream().write(("GET /__health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder seen = new StringBuilder();
    while (!seen.toString().contains("{\"status\":\"UP\"}")) {
      int b = in.read();
      if (b < 0) {
        fail("the node closed a keep-alive connection after one answer: " + seen);
      }
      seen.append((char) b);
    }
    assertTrue(seen.toString().startsWith("HTTP/1.1 200"), seen.toString());
    return socket;
  }

  /** On a new connection: refused (the listener is closed) or answered, never a hang. */
  static void assertNewConnectionsAreRefusedOrAnswered(int port) throws InterruptedException {
    HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try {
      fresh.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/delay/0"))
          .timeout(Duration.ofSeconds(GRACE_SECONDS + 10)).build(), HttpResponse.BodyHandlers.ofString())
        .get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof HttpTimeoutException) {
        fail("a new connection during the drain hung", e);
      }
      // ConnectException when the listener is closed; a plain IOException when a connection the
      // listener took just before was closed by the drain
      assertTrue(e.getCause() instanceof IOException, e.toString());
    } catch (java.util.concurrent.TimeoutException e) {
      fail("a new connection during the drain hung", e);
    }
  }

  static int mockCallsWith(String requestId) {
    io.vertx.core.http.HttpClient client = parts.vertx.createHttpClient();
    try {
      return client.request(HttpMethod.GET, parts.mockPort, "127.0.0.1", "/__mock/stats")
        .compose(req -> req.send().compose(r -> r.body()))
        .map(body -> new JsonObject(body).getJsonObject("byRequestId").getInteger(requestId, 0)).await();
    } finally {
      client.close();
    }
  }

  static int indexOf(List<String> lines, Predicate<String> which) {
    for (int i = 0; i < lines.size(); i++) {
      if (which.test(lines.get(i))) {
        return i;
      }
    }
    return -1;
  }

  /** Everything the node prints (stdout and stderr), as far as it got. */
  record Output(Path file) {
    List<String> lines() {
      try {
        // decoded leniently: the last line may be cut in the middle of a character
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }

    /** Polls for at most {@code seconds}; a failure shows what the node printed by then. */
    void await(Predicate<String> which, int seconds) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
      while (lines().stream().noneMatch(which)) {
        if (System.nanoTime() > deadline) {
          fail("not printed within " + seconds + " s; the node printed:\n" + this);
        }
        Thread.sleep(100);
      }
    }

    @Override
    public String toString() {
      return String.join("\n", lines());
    }
  }
}
