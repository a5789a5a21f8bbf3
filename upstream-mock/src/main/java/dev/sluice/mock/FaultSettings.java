package dev.sluice.mock;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * What {@code POST /__mock/config} sets: {@code {"failureRate":0.0..1.0,"latencyMs":0..60000}}.
 * Immutable, so a request reads one consistent pair even if the config changes while it waits.
 */
record FaultSettings(double failureRate, long latencyMs) {
  static final FaultSettings NONE = new FaultSettings(0, 0);

  private static final List<String> FIELDS = List.of("failureRate", "latencyMs");

  FaultSettings {
    Numbers.fromJson("failureRate", failureRate, 0, 1);
    Numbers.checkRange("latencyMs", latencyMs, 0, DelayEndpoint.MAX_DELAY_MS);
  }

  /**
   * These settings with the fields {@code changes} names replaced; absent fields keep their
   * value, so {@code {"latencyMs":200}} does not silently reset an earlier failureRate.
   *
   * @throws BadInputException naming the first unknown or out-of-range field
   */
  FaultSettings with(JsonObject changes) {
    for (String name : changes.fieldNames()) {
      if (!FIELDS.contains(name)) {
        throw new BadInputException(name, "unknown setting; known: " + String.join(", ", FIELDS));
      }
    }
    double rate = changes.containsKey("failureRate")
        ? Numbers.fromJson("failureRate", changes.getValue("failureRate"), 0, 1)
        : failureRate;
    long latency = changes.containsKey("latencyMs")
        ? Numbers.wholeFromJson("latencyMs", changes.getValue("latencyMs"), 0, DelayEndpoint.MAX_DELAY_MS)
        : latencyMs;
    return new FaultSettings(rate, latency);
  }

  JsonObject toJson() {
    return new JsonObject().put("failureRate", failureRate).put("latencyMs", latencyMs);
  }
}
