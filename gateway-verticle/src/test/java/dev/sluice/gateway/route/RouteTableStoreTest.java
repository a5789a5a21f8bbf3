package dev.sluice.gateway.route;

import dev.sluice.gateway.config.ConfigParser;
import dev.sluice.gateway.config.RoutePolicy;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The cluster's last route table, on a real (local) SharedData map: versions only grow. */
@ExtendWith(VertxExtension.class)
class RouteTableStoreTest {
  static RouteReload table(String name) {
    return new RouteReload(RouteReload.FILE_VERSION, ConfigParser.parseRoutes(new JsonArray()
      .add(new JsonObject().put("name", name).put("prefix", "/" + name).put("upstream", "http://127.0.0.1:1")),
      RoutePolicy.DEFAULT));
  }

  @Test
  void aTableIsStoredAsTheJsonItsReloadMessageCarriesWithAVersionThatOnlyGrows(Vertx vertx, VertxTestContext ctx) {
    AtomicLong now = new AtomicLong(10_000);
    RouteTableStore store = new RouteTableStore(vertx, now::get);
    store.latest()
      .compose(empty -> {
        ctx.verify(() -> assertNull(empty, "nothing stored before the first reload"));
        return store.save(table("first"));
      })
      .compose(first -> {
        ctx.verify(() -> assertEquals(10_000, first.version(), "the clock, when it is ahead"));
        now.set(4_000); // a writer whose clock is behind the last one's
        return store.save(table("second"));
      })
      .compose(second -> {
        ctx.verify(() -> assertEquals(10_001, second.version(), "never below the stored version"));
        return store.latest().map(stored -> {
          ctx.verify(() -> assertEquals(second.toJson(), stored));
          return stored;
        });
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aWriteThatLosesARaceIsRetriedAboveTheWinner(Vertx vertx, VertxTestContext ctx) {
    AtomicBoolean raced = new AtomicBoolean();
    JsonObject winner = table("winner").withVersion(50_000).toJson();
    // Another admin's write lands between this writer's read and its compare-and-set.
    RouteTableStore store = new RouteTableStore(vertx, () -> {
      if (raced.compareAndSet(false, true)) {
        // The local map's future is complete already and its put is done when it returns.
        vertx.sharedData().<String, JsonObject>getLocalAsyncMap(RouteTableStore.MAP).result()
          .put(RouteTableStore.KEY, winner);
      }
      return 1_000;
    });
    store.save(table("loser"))
      .compose(saved -> {
        ctx.verify(() -> {
          assertEquals(true, raced.get());
          assertEquals(50_001, saved.version(), "above the write it raced with, never under it");
        });
        return store.latest();
      })
      .onComplete(ctx.succeeding(stored -> ctx.verify(() -> {
        assertEquals("loser", stored.getJsonArray("routes").getJsonObject(0).getString("name"));
        assertEquals(50_001L, RouteReload.versionOf(stored));
        ctx.completeNow();
      })));
  }
}
