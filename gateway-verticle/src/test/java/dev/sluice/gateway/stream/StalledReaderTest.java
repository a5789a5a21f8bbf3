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

import java.net.Socket;
import java.nio.charset.StandardCharsets;

import static dev.sluice.gateway.GatewayFixture.route;
import static dev.sluice.gateway.stream.ClientHangUpTest.fullDownloadStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A client that stops reading mid-download: the gateway pauses the upstream for it, and the idle
 * timeout then cuts both. The upstream was silent because we stopped reading it, so that is the
 * client's doing, not a failure of the route ({@link ClientHangUpTest} for clients that hang up).
 * On its own gateway: the 1 s idle timeout it needs would close the connections of
 * ClientHangUpTest's bursts on a loaded machine.
 */
class StalledReaderTest {
  static final MeterRegistry meters = new SimpleMeterRegistry();
  static final StreamingUpstream upstream = new StreamingUpstream();
  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(GatewayNode.standalone(meters), upstream::start,
    (redis, mock) -> GatewayFixture.config(redis, new JsonArray()
      // One failure would open it: a client that stops reading must not be that failure.
      .add(route("slow", "/slow", upstream.url()).put("stripPrefix", true)
        .put("circuit", new JsonObject().put("failureThreshold", 1).put("resetTimeoutMs", 60_000))))
      .put("http", new JsonObject().put("idleTimeoutSeconds", 1)));

  @Test
  void aClientThatStopsReadingIsCutAsTheClientsDoing() throws Exception {
    try (Socket socket = new Socket()) {
      // A small window, so the gateway's writes back up within a few KB and the upstream is paused.
      socket.setReceiveBufferSize(4096);
      socket.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.port()));
      socket.getOutputStream().write("GET /slow/bytes/1073741824 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        .getBytes(StandardCharsets.US_ASCII));
      ClientHangUpTest.readAtLeast(socket.getInputStream(), 1024);
      // Now read nothing: after the idle timeout the paused upstream connection is cut.
      double aborts = ClientHangUpTest.eventually(() -> meters.get("sluice.client.aborts").tags("route", "slow").counter().count(), 1);
      assertEquals(1.0, aborts, "the stalled download is the client's abort");
    }
    assertEquals(0.0, meters.get("sluice.circuit.state").tags("route", "slow").gauge().value(), 0.0, "circuit CLOSED");
    assertEquals(200, fullDownloadStatus(gateway.port(), "/slow/bytes/1000"));
  }

}
