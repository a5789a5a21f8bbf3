package dev.sluice.app;

import dev.sluice.gateway.metrics.VertxMetricsOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;

/**
 * The node's Vert.x, with its metrics (Vert.x's own {@code vertx_*} and Sluice's) in one
 * Prometheus registry that the admin verticle scrapes. One registry per node, owned here, not a
 * static default.
 */
final class NodeVertx {
  private NodeVertx() {
  }

  static PrometheusMeterRegistry newRegistry() {
    return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  }

  static VertxBuilder builder(VertxOptions options, PrometheusMeterRegistry registry) {
    return Vertx.builder()
      .with(options.setMetricsOptions(VertxMetricsOptions.forNode()))
      .withMetrics(new MicrometerMetricsFactory(registry));
  }

  static Vertx standalone(PrometheusMeterRegistry registry) {
    return builder(new VertxOptions(), registry).build();
  }
}
