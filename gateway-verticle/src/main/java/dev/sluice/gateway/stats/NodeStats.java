package dev.sluice.gateway.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * What one node's gateway did over the last interval, per route: published on {@link #ADDRESS}
 * once a second by the node's {@link StatsPublisher}, for bridge clients (the admin page, scripts)
 * that want live rates without scraping Prometheus. {@link #toJson()} / {@link #fromJson} are its
 * one codec. It carries a sequence number and the interval's length, never a time of day (nodes'
 * clocks disagree; a reader that wants a timestamp takes its own).
 *
 * @param seq        counts up from 1 per publisher: a gap means a lost message, a restart starts again
 * @param intervalMs the time the numbers cover, measured on the node's monotonic clock
 */
public record NodeStats(String node, long seq, long intervalMs, List<RouteStats> routes) {
  public static final String ADDRESS = "sluice.stats";

  public JsonObject toJson() {
    return new JsonObject().put("node", node).put("seq", seq).put("intervalMs", intervalMs)
      .put("routes", new JsonArray(routes.stream().map(RouteStats::toJson).toList()));
  }

  public static NodeStats fromJson(JsonObject json) {
    JsonArray routes = json.getJsonArray("routes", new JsonArray());
    return new NodeStats(json.getString("node"), json.getLong("seq", 0L), json.getLong("intervalMs", 0L),
      routes.stream().map(o -> RouteStats.fromJson((JsonObject) o)).toList());
  }
}
