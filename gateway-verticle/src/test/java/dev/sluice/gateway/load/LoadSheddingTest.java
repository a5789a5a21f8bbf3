package dev.sluice.gateway.load;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayUnderTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code http.maxConnections} and a route's {@code maxInFlight}: above them a node answers 503
 * OVERLOADED with Retry-After at once, counts nothing against the upstream, and still answers
 * {@code /__health}. A real gateway in front of a real upstream-mock whose {@code /delay} is the
 * slow upstream.
 */
class LoadSheddingTest {
  static final int MAX_CONNECTIONS = 100;
  static final int MAX_IN_FLIGHT = 50;
  static final int SLOW_MS = 1500;
  static final long AWAIT_S = 30;
  static final MeterRegistry meters = new SimpleMeterRegistry();

  @RegisterExtension
  static final GatewayUnderTest gateway = new GatewayUnderTest(GatewayNode.standalone(meters),
    (redis, mock) -> GatewayFixture.config(redis, new JsonArray()
        .add(route("capped", "/c", mock).put("stripPrefix", true).put("maxInFlight", MAX_IN_FLIGHT)
          .put("circuit", new JsonObject().put("failureThreshold", 3)))
        .add(route("open", "/o", mock).put("stripPrefix", true)
          .put("circuit", new JsonObject().put("failureThreshold", 3))))
      .put("http", new JsonObject().put("maxConnections", MAX_CONNECTIONS)));

  @BeforeEach
  void resetMock() throws Exception {
    await(gateway.resetMock());
  }

  @Test
  void aRouteOverMaxInFlightAnswersOverloadedAtOnceAndItsCircuitStaysClosed() throws Exception {
    int requests = MAX_IN_FLIGHT + 30;
    HttpClient client = client(requests);
    try {
      List<Future<Answer>> answers = new ArrayList<>();
      for (int i = 0; i < requests; i++) {
        answers.add(Answer.get(client, gateway.port(), "/c/delay/" + SLOW_MS));
      }
      List<Answer> all = awaitAll(answers);

      List<Answer> served = all.stream().filter(a -> a.status() == 200).toList();
      List<Answer> shed = all.stream().filter(a -> a.status() == 503).toList();
      assertEquals(MAX_IN_FLIGHT, served.size(), "as many served as maxInFlight: " + all);
      assertEquals(requests - MAX_IN_FLIGHT, shed.size(), all.toString());
      for (Answer answer : shed) {
        assertEquals("OVERLOADED", answer.code());
        assertEquals("1", answer.retryAfter());
      }
      long lastShed = shed.stream().mapToLong(Answer::arrivedNanos).max().orElseThrow();
      long firstServed = served.stream().mapToLong(Answer::arrivedNanos).min().orElseThrow();
      assertTrue(lastShed < firstServed, "the excess is answered at once, not after the slow upstream");

      JsonObject stats = await(gateway.mockStats());
      assertEquals(MAX_IN_FLIGHT, stats.getJsonObject("byPath").getInteger("/delay/" + SLOW_MS),
        "the upstream sees only what the route lets through");
      assertCircuitClosed("capped");
      assertEquals(requests - MAX_IN_FLIGHT, meters.get("sluice.shed").tags("route", "capped", "reason", "in_flight")
        .counter().count(), 0.0);

      Answer after = await(Answer.get(client, gateway.port(), "/c/anything/after"));
      assertEquals(200, after.status(), "in flight counts down as answers go out");
    } finally {
      await(client.close());
    }
  }

  @Test
  void aConnectionOverMaxConnectionsIsAnsweredOverloadedAndHealthStillAnswers() throws Exception {
    HttpClient holders = client(MAX_CONNECTIONS);
    HttpClient extra = client(1);
    HttpClient probe = client(1);
    try {
      List<Future<Answer>> held = new ArrayList<>();
      for (int i = 0; i < MAX_CONNECTIONS; i++) {
        held.add(Answer.get(holders, gateway.port(), "/o/delay/" + SLOW_MS));
      }
      // Every held request has reached the upstream, so each holds its connection.
      Poll.eventually(gateway, () -> gateway.mockStats()
        .map(s -> s.getJsonObject("byPath").getInteger("/delay/" + SLOW_MS, 0) == MAX_CONNECTIONS));

      Answer refused = await(Answer.get(extra, gateway.port(), "/o/anything/one-too-many"));
      assertEquals(503, refused.status());
      assertEquals("OVERLOADED", refused.code());
      assertEquals("1", refused.retryAfter());
      assertEquals("close", refused.connection(), "the connection over the limit is not kept");
      String raw = await(answerThenClose("GET /o/anything/raw HTTP/1.1\r\nHost: gateway\r\n\r\n"));
      assertTrue(raw.startsWith("HTTP/1.1 503") && raw.contains("OVERLOADED"), raw);
      Answer health = await(Answer.get(probe, gateway.port(), "/__health"));
      assertEquals(200, health.status(), "a node that sheds load is alive for its load balancer");

      for (Answer answer : awaitAll(held)) {
        assertEquals(200, answer.status(), "connections under the limit are served: " + answer);
      }
      assertEquals(0, (int) await(gateway.mockStats()).getJsonObject("byPath").getInteger("/anything/one-too-many", 0));
      assertCircuitClosed("open");
      await(holders.close());
      Poll.eventually(gateway, () -> Answer.get(extra, gateway.port(), "/o/anything/later")
        .map(a -> a.status() == 200));
    } finally {
      await(Future.join(holders.close(), extra.close(), probe.close()));
    }
  }

  /**
   * Sends {@code request} on a connection of its own and completes with everything read once the
   * gateway has closed it (a keep-alive client would otherwise hold the connection open).
   */
  private static Future<String> answerThenClose(String request) {
    NetClient net = gateway.vertx().createNetClient();
    return net.connect(gateway.port(), "127.0.0.1").compose(socket -> {
      Buffer read = Buffer.buffer();
      Promise<String> closed = Promise.promise();
      socket.handler(read::appendBuffer);
      socket.closeHandler(v -> closed.complete(read.toString()));
      socket.write(request);
      return closed.future();
    }).eventually(net::close);
  }

  private static void assertCircuitClosed(String route) {
    assertEquals(0.0, meters.get("sluice.circuit.state").tags("route", route).gauge().value(), 0.0);
    assertEquals(0.0, meters.get("sluice.circuit.transitions").tags("route", route, "to", "open")
      .counter().count(), 0.0);
  }

  /** One connection per request in flight: {@code size} connections at most, none kept for long. */
  static HttpClient client(int size) {
    return gateway.vertx().createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setKeepAlive(true),
      new PoolOptions().setHttp1MaxSize(size));
  }

  static List<Answer> awaitAll(List<Future<Answer>> answers) throws Exception {
    await(Future.all(answers));
    return answers.stream().map(Future::result).sorted(Comparator.comparingLong(Answer::arrivedNanos)).toList();
  }

  static <T> T await(Future<T> future) throws Exception {
    return future.await(AWAIT_S, TimeUnit.SECONDS);
  }
}
