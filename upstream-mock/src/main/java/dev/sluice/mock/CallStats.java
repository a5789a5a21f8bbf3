package dev.sluice.mock;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

/**
 * Every non-control call, counted when it arrives (before latency or failure injection), so a
 * test can prove how often the gateway really called: that a POST went out once, or that an
 * open circuit sent nothing at all.
 *
 * <pre>{"total":7,
 *  "byPath":{"/anything/a":2,"/flaky/k":5},
 *  "byRequestId":{"req-1":1,"req-2":3},
 *  "byMethod":{"GET":6,"POST":1},
 *  "overflow":{"byPath":0,"byRequestId":0,"byMethod":0}}</pre>
 *
 * Paths are raw (as in the request line, without the query). Calls without an
 * {@code X-Request-Id} are not in byRequestId. {@code overflow} counts calls whose key arrived
 * after its map already held {@code maxTrackedKeys} keys.
 */
final class CallStats {
  static final String REQUEST_ID_HEADER = "X-Request-Id";

  private final BoundedCounts byPath;
  private final BoundedCounts byRequestId;
  private final BoundedCounts byMethod;
  private long total;

  CallStats(int maxTrackedKeys) {
    byPath = new BoundedCounts(maxTrackedKeys);
    byRequestId = new BoundedCounts(maxTrackedKeys);
    byMethod = new BoundedCounts(maxTrackedKeys);
  }

  void record(HttpMethod method, String path, String requestId) {
    total++;
    byPath.increment(path);
    byMethod.increment(method.name());
    if (requestId != null) {
      byRequestId.increment(requestId);
    }
  }

  void clear() {
    total = 0;
    byPath.clear();
    byRequestId.clear();
    byMethod.clear();
  }

  JsonObject toJson() {
    return new JsonObject()
        .put("total", total)
        .put("byPath", byPath.toJson())
        .put("byRequestId", byRequestId.toJson())
        .put("byMethod", byMethod.toJson())
        .put("overflow", new JsonObject()
            .put("byPath", byPath.overflow())
            .put("byRequestId", byRequestId.overflow())
            .put("byMethod", byMethod.overflow()));
  }
}
