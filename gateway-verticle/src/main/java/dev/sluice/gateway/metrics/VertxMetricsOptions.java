package dev.sluice.gateway.metrics;

import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;

/** Which of Vert.x's own {@code vertx_*} metrics a Sluice node keeps. */
public final class VertxMetricsOptions {
  private VertxMetricsOptions() {
  }

  /**
   * Everything but the per-request HTTP meters: Vert.x registers a gauge per request there, which
   * costs more than the rest of a proxy hop, and {@code sluice_requests_total},
   * {@code sluice_request_duration_seconds} and {@code sluice_upstream_attempts_total} count the
   * same requests by route. Connections, bytes, pools, event bus and verticles stay.
   */
  public static MicrometerMetricsOptions forNode() {
    return new MicrometerMetricsOptions()
      .setEnabled(true)
      .addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER)
      .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT);
  }
}
