package dev.sluice.app;

import dev.sluice.gateway.metrics.VertxMetricsOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.transport.Transport;
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
      // epoll where Netty's native library loads (Linux x86_64, glibc), NIO elsewhere: on the
      // benchmark it took 18 % more requests per second through the gateway than NIO.
      .with(options.setMetricsOptions(VertxMetricsOptions.forNode()).setPreferNativeTransport(true))
      .withMetrics(new MicrometerMetricsFactory(registry));
  }

  /** The I/O transport the node runs on, for its start-up line; with why not native when it is NIO. */
  static String transport(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) {
      return Transport.nativeTransport().name();
    }
    Throwable why = vertx.unavailableNativeTransportCause();
    return why == null ? "nio" : "nio, native transport unavailable: " + why.getMessage();
  }

  static Vertx standalone(PrometheusMeterRegistry registry) {
    return builder(new VertxOptions(), registry).build();
  }
}
