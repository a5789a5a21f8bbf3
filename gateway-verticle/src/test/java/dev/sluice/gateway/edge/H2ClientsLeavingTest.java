package dev.sluice.gateway.edge;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayUnderTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What h2load does at the end of a run: h2 connections closed with dozens of streams in flight,
 * several at once. Each answer that comes back for a stream whose client left is dropped, and its
 * upstream connection, already back in the pool and maybe serving another request, must not be
 * closed under that request: the bench's h2 row opened a healthy route so ("CONNECT_FAILURE:
 * Connection was closed", 12-13 attempts out of some 100 000).
 */
class H2ClientsLeavingTest {
  static final Path DIR = TlsListenerTest.tempDir();
  static final TestPki PKI = TestPki.create("Sluice Test CA");
  static final TestPki.LeafFiles FILES = PKI.issue("gateway.test").writeTo(DIR, "tls");
  static final SSLContext TRUSTING = TestClients.trusting(PKI.caPem());
  static final int CONNECTIONS = 8;
  static final int ROUNDS = 25;
  static final int STREAMS = 40;

  static final MeterRegistry meters = new SimpleMeterRegistry();
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(GatewayNode.standalone(meters),
    (redis, mock) -> GatewayFixture.config(redis, new JsonArray()
        .add(GatewayFixture.route("open", "/open", mock).put("stripPrefix", true)
          .put("circuit", new JsonObject().put("failureThreshold", 3).put("resetTimeoutMs", 60_000))))
      .put("http", new JsonObject().put("tls", new JsonObject().put("cert", FILES.cert().toString())
        .put("key", FILES.key().toString()))));

  @Test
  void h2ConnectionsClosedWithStreamsInFlightNeverCountAgainstTheUpstream() throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(CONNECTIONS);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < CONNECTIONS; i++) {
        running.add(clients.submit(H2ClientsLeavingTest::openStreamsThenLeave));
      }
      for (Future<?> connection : running) {
        connection.get(60, TimeUnit.SECONDS);
      }
    } finally {
      clients.shutdownNow();
    }
    assertEquals(0.0, failedAttempts(), "no attempt failed: every hang-up was the clients' doing");
    assertEquals(0.0, meters.get("sluice.circuit.transitions").tags("route", "open", "to", "open").counter().count(), 0.0,
      "the circuit never opened");
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(TRUSTING).build();
    HttpResponse<String> after = client.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + gateway.port()
      + "/open/after")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, after.statusCode(), "the route still answers");
  }

  /** ROUNDS times: one h2 connection, STREAMS GETs on it, closed as soon as the answers start. */
  private static Void openStreamsThenLeave() throws IOException {
    String authority = "127.0.0.1:" + gateway.port();
    for (int round = 0; round < ROUNDS; round++) {
      try (RawH2 h2 = new RawH2(TRUSTING, gateway.port())) {
        for (int i = 0; i < STREAMS; i++) {
          h2.frame(RawH2.HEADERS, RawH2.END_STREAM | RawH2.END_HEADERS, 1 + 2 * i,
            RawH2.block(":method", "GET", ":scheme", "https", ":authority", authority, ":path", "/open/r" + round + "s" + i));
        }
        // SETTINGS, its ACK, a WINDOW_UPDATE or two, then answers: leave with most streams in flight.
        h2.skipFrames(8);
      }
    }
    return null;
  }

  private static double failedAttempts() {
    return meters.find("sluice.upstream.attempts").tags("route", "open").counters().stream()
      .filter(counter -> !"2xx".equals(counter.getId().getTag("outcome")))
      .mapToDouble(counter -> counter.count()).sum();
  }
}
