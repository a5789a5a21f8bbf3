package dev.sluice.gateway.route;

import dev.sluice.gateway.GatewayFixture;
import dev.sluice.gateway.LocalRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

import static dev.sluice.gateway.GatewayFixture.route;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Real gateways (real HTTP, a real upstream-mock, a real Redis) on one Vert.x, whose local
 * SharedData stands in for the cluster map: which table an instance serves after a reload, and
 * which one a newly deployed instance starts with. Each test has a Vert.x, so a map, of its own.
 */
@ExtendWith(VertxExtension.class)
class RouteTableSyncTest {
  @RegisterExtension
  static final LocalRedis redis = new LocalRedis();

  /** What every gateway's config file says: one route, {@code /old}. */
  static JsonObject file(String mock) {
    return GatewayFixture.config(redis.url(), new JsonArray().add(route("old", "/old", mock).put("stripPrefix", true)));
  }

  static JsonObject table(String mock, String... names) {
    JsonArray routes = new JsonArray();
    for (String name : names) {
      routes.add(route(name, "/" + name, mock).put("stripPrefix", true));
    }
    return new JsonObject().put("routes", routes);
  }

  /** What the admin does with a valid PUT: store it as the newest table, then publish what was stored. */
  static Future<RouteReload> reload(Vertx vertx, GatewayFixture gw, JsonObject table) {
    RouteReload reload = RouteReload.fromJson(table, gw.config.defaults());
    return new RouteTableStore(vertx).save(reload).map(saved -> {
      vertx.eventBus().publish(RouteReload.ADDRESS, saved.toJson());
      return saved;
    });
  }

  @Test
  void aGatewayDeployedAfterAReloadRoutesByTheReloadedTableFromItsFirstRequest(Vertx vertx, VertxTestContext ctx) {
    GatewayFixture.start(vertx, RouteTableSyncTest::file).compose(first ->
        reload(vertx, first, table("http://127.0.0.1:" + first.mockPort, "fresh"))
          .compose(saved -> status(vertx, first, "/fresh/anything", 200, 40))
          .compose(fresh -> {
            ctx.verify(() -> assertEquals(200, fresh, "the running instance swapped the table in"));
            return GatewayFixture.start(vertx, RouteTableSyncTest::file);
          }))
      .compose(second -> second.client.get("/fresh/anything").send()
        .compose(fresh -> second.client.get("/old/anything").send().map(old -> {
          ctx.verify(() -> {
            assertEquals(200, fresh.statusCode(), "the newcomer's very first request uses the reloaded table");
            assertEquals(404, old.statusCode(), "and not its config file's");
          });
          return old;
        })))
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aTableOlderThanTheOneAnInstanceServesIsIgnored(Vertx vertx, VertxTestContext ctx) {
    GatewayFixture.start(vertx, RouteTableSyncTest::file).compose(gw -> {
        String mock = "http://127.0.0.1:" + gw.mockPort;
        return reload(vertx, gw, table(mock, "fresh"))
          .compose(saved -> status(vertx, gw, "/fresh/anything", 200, 40).map(fresh -> {
            ctx.verify(() -> assertEquals(200, fresh));
            // A reload that lost the race to the one in place, arriving late.
            vertx.eventBus().publish(RouteReload.ADDRESS, table(mock, "stale").put("version", saved.version() - 1));
            return saved;
          }))
          // As long as a newer table takes to land (a few ms), and then some.
          .compose(saved -> vertx.timer(300))
          .compose(t -> gw.client.get("/stale/anything").send())
          .compose(stale -> gw.client.get("/fresh/anything").send().map(fresh -> {
            ctx.verify(() -> {
              assertEquals(404, stale.statusCode(), "the older table was not swapped in");
              assertEquals(200, fresh.statusCode(), "the newer one is still served");
            });
            return fresh;
          }));
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aStoredTableThatDoesNotValidateLeavesANewInstanceOnItsConfigFile(Vertx vertx, VertxTestContext ctx) {
    JsonObject broken = new JsonObject().put("version", 42L).put("routes", new JsonArray()
      .add(new JsonObject().put("name", "broken").put("prefix", "nope").put("upstream", "ftp://x")));
    vertx.sharedData().<String, JsonObject>getAsyncMap(RouteTableStore.MAP)
      .compose(map -> map.put(RouteTableStore.KEY, broken))
      .compose(v -> GatewayFixture.start(vertx, RouteTableSyncTest::file))
      .compose(gw -> gw.client.get("/old/anything").send())
      .onComplete(ctx.succeeding(old -> ctx.verify(() -> {
        assertEquals(200, old.statusCode(), "a WARN, and the file's routes");
        ctx.completeNow();
      })));
  }

  @Test
  void aReloadWithoutAVersionStillReachesAnInstanceOnItsFileTable(Vertx vertx, VertxTestContext ctx) {
    GatewayFixture.start(vertx, RouteTableSyncTest::file).compose(gw -> {
        vertx.eventBus().publish(RouteReload.ADDRESS, table("http://127.0.0.1:" + gw.mockPort, "bare"));
        return status(vertx, gw, "/bare/anything", 200, 40);
      })
      .onComplete(ctx.succeeding(bare -> ctx.verify(() -> {
        assertEquals(200, bare, "a hand-published table is version 0, as old as a file's, so it applies");
        ctx.completeNow();
      })));
  }

  /** The status of {@code uri} once it is {@code wanted}, or the last one after a bounded number of tries. */
  static Future<Integer> status(Vertx vertx, GatewayFixture gw, String uri, int wanted, int tries) {
    return gw.client.get(uri).send().compose(r -> {
      if (r.statusCode() == wanted || tries <= 1) {
        return Future.succeededFuture(r.statusCode());
      }
      return vertx.timer(25).compose(t -> status(vertx, gw, uri, wanted, tries - 1));
    });
  }
}
