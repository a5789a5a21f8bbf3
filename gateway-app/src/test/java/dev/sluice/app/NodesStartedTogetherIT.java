package dev.sluice.app;

import dev.sluice.app.GatewayNodes.Node;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static dev.sluice.app.ClusterIT.circuitRoute;
import static dev.sluice.app.ClusterIT.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three gateway JVMs (two instances each) started together, traffic from the first request on
 * routes none of them has called: the case where a node knows of no other caller yet. A node's
 * own fault opens the route on that node only; failures from a quorum of the calling nodes open
 * it for the cluster.
 */
class NodesStartedTogetherIT {
  private static final int PAIR_ROUNDS = 5;

  @RegisterExtension
  static final GatewayNodes nodes = GatewayNodes.cluster("sluice-together").admin(ClusterIT.TOKEN).instances(2);
  static Node a;
  static Node b;
  static Node c;

  @BeforeAll
  static void start() throws Exception {
    int deadPort = SluiceJarIT.freePort();
    List<String> pairs = new ArrayList<>();
    for (int round = 0; round < PAIR_ROUNDS; round++) {
      pairs.add("pair" + round);
    }
    // A cannot reach any route's upstream; B cannot reach "two"'s; C reaches everything.
    a = startNode("a", deadPort, Set.copyOf(concat(pairs, "two")), pairs);
    b = startNode("b", deadPort, Set.of("two"), pairs);
    c = startNode("c", deadPort, Set.of(), pairs);
  }

  private static List<String> concat(List<String> names, String one) {
    List<String> all = new ArrayList<>(names);
    all.add(one);
    return all;
  }

  static Node startNode(String name, int deadPort, Set<String> unreachable, List<String> pairs) throws Exception {
    List<String> lines = new ArrayList<>(List.of(
      "redis: { url: \"" + nodes.redisUrl() + "\", timeoutMs: 2000 }",
      "defaults:",
      "  rateLimit: { limit: 100000, windowMs: 60000 }",
      "  retry: { maxAttempts: 1 }",
      "routes:"));
    for (String route : concat(pairs, "two")) {
      String upstream = unreachable.contains(route) ? "http://127.0.0.1:" + deadPort : nodes.mockUrl();
      lines.add(ClusterIT.route(route, upstream, 3, 60_000, 3000));
    }
    return nodes.start(name, lines.toArray(String[]::new));
  }

  @Test
  void oneNodesOwnFaultOpensItsOwnCircuitOnlyRoundAfterRound() throws Exception {
    for (int round = 0; round < PAIR_ROUNDS; round++) {
      String route = "pair" + round;
      List<Integer> fromA = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        HttpResponse<String> atA = a.get("/" + route + "/status/200");
        fromA.add(atA.statusCode());
        HttpResponse<String> atB = b.get("/" + route + "/status/200");
        assertEquals(200, atB.statusCode(), route + ": B reaches its upstream and must never be refused: " + atB.body());
      }
      assertEquals(List.of(502, 502, 502, 503, 503, 503, 503, 503), fromA,
        route + ": A fails three times, then its own circuit refuses");
      HttpResponse<String> refused = a.get("/" + route + "/status/200");
      assertTrue(refused.body().contains("CIRCUIT_OPEN"), refused.body());
      JsonObject view = circuitRoute(b, route);
      assertEquals("CLOSED", view.getString("state"), "the cluster's state: " + view.encodePrettily());
      assertTrue(view.getJsonArray("views").stream().map(JsonObject.class::cast)
          .anyMatch(v -> "OPEN".equals(v.getString("state")) && "NODE".equals(v.getString("scope"))),
        "A's view is its node's own: " + view.encodePrettily());
    }
    // Beyond the report wait, a late report or a recheck must not promote A's fault either.
    Thread.sleep(2 * 2_000 + 500);
    for (int round = 0; round < PAIR_ROUNDS; round++) {
      String route = "pair" + round;
      assertEquals(200, b.status("/" + route + "/status/200"), route + " still served by B");
      assertEquals(200, c.status("/" + route + "/status/200"), route + " served by C, which never called it before");
      assertEquals("CLOSED", circuitRoute(c, route).getString("state"));
    }
  }

  @Test
  void twoFailingNodesOfThreeOpenTheRouteForTheCluster() throws Exception {
    assertEquals(200, c.status("/two/status/200"), "C calls the route and reaches it");
    for (int i = 0; i < 3; i++) {
      // Once the quorum has formed (four failures from two nodes may do it), A and B refuse too.
      assertTrue(Set.of(502, 503).contains(a.status("/two/status/200")));
      assertTrue(Set.of(502, 503).contains(b.status("/two/status/200")));
    }
    eventually(10, "the quorum (2 of 3 calling nodes failing) opens the route on C too",
      () -> c.get("/two/status/200").body().contains("CIRCUIT_OPEN"));
    JsonObject view = circuitRoute(c, "two");
    assertEquals("OPEN", view.getString("state"), view.encodePrettily());
    assertEquals("CLUSTER", view.getString("scope"), view.encodePrettily());
  }
}
