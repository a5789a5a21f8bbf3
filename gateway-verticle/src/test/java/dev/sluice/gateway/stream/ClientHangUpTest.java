package dev.sluice.gateway.stream;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayUnderTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that hang up while their answer streams: at once, mid-body, or with a reset. None of
 * it is the upstream's doing, so the route's circuit stays closed and its target in; each counts
 * as a client abort. An upstream that dies mid-body still counts ({@link BrokenBodyTest}).
 */
class ClientHangUpTest {
  private static final int CLIENTS = 50;
  private static final int ROUNDS = 10;
  private static final long BODY_BYTES = 8L * 1024 * 1024;

  static final MeterRegistry meters = new SimpleMeterRegistry();
  static final StreamingUpstream upstream = new StreamingUpstream();
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(GatewayNode.standalone(meters), upstream::start,
    (redis, mock) -> GatewayFixture.config(redis, new JsonArray()
      .add(route("big", "/big", upstream.url()).put("stripPrefix", true)
        .put("circuit", new JsonObject().put("failureThreshold", 3).put("resetTimeoutMs", 60_000))
        // Three in a row would eject even the only target.
        .put("outlier", new JsonObject().put("consecutiveFailures", 3).put("maxEjectedPercent", 100)))
      .add(route("dying", "/dying", upstream.url()).put("stripPrefix", true)
        .put("circuit", new JsonObject().put("failureThreshold", 3).put("resetTimeoutMs", 60_000))))
      // Far above what a loaded machine stalls: 50 clients on one event loop (the upstream's too) can keep
      // a head waiting over a second, and a 1 s timeout then closes connections the clients still read
      // (StalledReaderTest has the 1 s timeout, with one client).
      .put("http", new JsonObject().put("idleTimeoutSeconds", 60)));

  @Test
  void clientsThatHangUpMidDownloadNeverOpenTheCircuit() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      for (int round = 0; round < ROUNDS; round++) {
        List<Future<?>> left = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
          int client = i;
          left.add(clients.submit(() -> hangUp(client)));
        }
        for (Future<?> f : left) {
          f.get(30, TimeUnit.SECONDS);
        }
        assertEquals(200, fullDownloadStatus("/big/bytes/1000"), "round " + round + ": the route still answers");
      }
    } finally {
      clients.shutdownNow();
    }
    assertEquals(0.0, meters.get("sluice.circuit.state").tags("route", "big").gauge().value(), 0.0, "circuit CLOSED");
    assertEquals(1.0, meters.get("sluice.upstream.target.up").tags("route", "big").gauge().value(), 0.0, "target not ejected");
    double aborts = eventually(() -> meters.get("sluice.client.aborts").tags("route", "big").counter().count(),
      ROUNDS * CLIENTS * 0.9);
    assertTrue(aborts >= ROUNDS * CLIENTS * 0.9, "most hang-ups are counted as client aborts, got " + aborts);
    assertEquals(0.0, meters.get("sluice.circuit.transitions").tags("route", "big", "to", "open")
      .counter().count(), 0.0);
  }

  /** The counter-case: an upstream that breaks its own bodies off is at fault, and three of them open the circuit. */
  @Test
  void threeBodiesTheUpstreamBreaksOffOpenTheCircuit() throws Exception {
    for (int i = 0; i < 3; i++) {
      try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write("GET /dying/dies HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        // Read until the gateway resets or closes: the body never ends properly.
        try {
          socket.getInputStream().readAllBytes();
        } catch (java.net.SocketException reset) {
          // the client's connection is reset: it cannot take the partial body for a whole one
        }
      }
    }
    assertEquals(503, fullDownloadStatus("/dying/after"), "three broken bodies opened the circuit");
  }

  /** What wrk does at the end of a run: keep-alive connections mid-answer, all closed at once. */
  @Test
  void keepAliveConnectionsClosedTogetherAfterABurstLeaveTheRouteServing() throws Exception {
    int connections = 16;
    ExecutorService clients = Executors.newFixedThreadPool(connections);
    CountDownLatch allMidAnswer = new CountDownLatch(connections);
    try {
      List<Future<?>> bursts = new ArrayList<>();
      for (int i = 0; i < connections; i++) {
        bursts.add(clients.submit(() -> burstThenHangUp(allMidAnswer)));
      }
      for (Future<?> f : bursts) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }
    for (int i = 0; i < 20; i++) {
      assertEquals(200, fullDownloadStatus("/big/bytes/1000"), "request " + i + " after the burst");
    }
    assertEquals(0.0, meters.get("sluice.circuit.state").tags("route", "big").gauge().value(), 0.0, "circuit CLOSED");
  }

  private static Void burstThenHangUp(CountDownLatch allMidAnswer) throws IOException, InterruptedException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      socket.setSoLinger(true, 0);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      byte[] request = "GET /big/bytes/1048576 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 3; i++) {
        out.write(request);
        readHead(in);
        readAtLeast(in, 1048576);
      }
      out.write(request);
      readAtLeast(in, 8192);
      allMidAnswer.countDown();
      allMidAnswer.await(20, TimeUnit.SECONDS);
    }
    return null;
  }

  /** Reads a response head and checks it is a 200; the body follows, unread. */
  private static void readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the gateway closed before a whole head");
      }
      head.append((char) b);
    }
    assertTrue(head.toString().startsWith("HTTP/1.1 200"), head.toString());
  }

  /**
   * One client: a fifth leave before the head is read, the rest after some KB; half close with a
   * reset (SO_LINGER 0), half with a FIN.
   */
  private static Void hangUp(int client) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", gateway.port())) {
      socket.setSoTimeout(10_000);
      if (client % 2 == 0) {
        socket.setSoLinger(true, 0);
      }
      OutputStream out = socket.getOutputStream();
      out.write(("GET /big/bytes/" + BODY_BYTES + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (client % 5 != 0) {
        readAtLeast(socket.getInputStream(), 1024L * (1 + client % 16));
      }
    }
    return null;
  }

  static void readAtLeast(InputStream in, long bytes) throws IOException {
    byte[] buffer = new byte[4096];
    long read = 0;
    while (read < bytes) {
      int n = in.read(buffer);
      if (n < 0) {
        throw new IOException("the gateway closed after " + read + " bytes");
      }
      read += n;
    }
  }

  private static int fullDownloadStatus(String path) throws IOException {
    return fullDownloadStatus(gateway.port(), path);
  }

  /** The status of one whole answer, read to its end on a connection of its own. */
  static int fullDownloadStatus(int port, String path) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      return Integer.parseInt(answer.substring(9, 12));
    }
  }

  /** Aborts are counted when the gateway notices the close, a moment after the client went. */
  static double eventually(java.util.function.DoubleSupplier value, double atLeast) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    double seen = value.getAsDouble();
    while (seen < atLeast && System.nanoTime() < deadline) {
      Thread.sleep(50);
      seen = value.getAsDouble();
    }
    return seen;
  }
}
