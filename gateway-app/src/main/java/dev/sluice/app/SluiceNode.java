package dev.sluice.app;

import dev.sluice.admin.AdminVerticle;
import dev.sluice.app.log.LogSetup;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayVerticle;
import dev.sluice.gateway.config.ConfigLoader;
import dev.sluice.gateway.config.ConfigException;
import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.gateway.edge.ServerCertificates;
import dev.sluice.gateway.edge.TlsEngine;
import dev.sluice.gateway.edge.UpstreamTrust;
import dev.sluice.gateway.limit.LocalSlidingWindowLimiter;
import dev.sluice.gateway.stats.StatsPublisher;
import dev.sluice.gateway.trace.NodeTracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@code run}: one gateway node from a config file. Runs on the main thread, so it may wait. */
final class SluiceNode {
  /**
   * What closing Vert.x may take beyond the grace: the admin verticle, the event bus, leaving the
   * Hazelcast cluster, the thread pools. Past it the JVM exits anyway, as if killed.
   */
  static final Duration CLOSE_MARGIN = Duration.ofSeconds(15);

  private SluiceNode() {
  }

  static void run(Command command, Map<String, String> env) {
    // The config first: a typo should not wait for a cluster to form before it is reported.
    SluiceConfig config = readConfig(command, env);
    LogSetup.apply(config.log().format());
    ClusterSetup cluster = command.cluster() ? ClusterSetup.fromEnvironment(env) : null;
    PrometheusMeterRegistry registry = NodeVertx.newRegistry();
    Vertx vertx = cluster == null ? NodeVertx.standalone(registry) : cluster.start(registry);
    NodeTracing tracing = null;
    try {
      GatewayNode node = cluster == null ? GatewayNode.standalone(registry).withShutdownGrace(command.shutdownGrace())
        : new GatewayNode(cluster.nodeId(), new LocalSlidingWindowLimiter(), registry, command.shutdownGrace(),
          cluster.members());
      // One tracer provider per node, beside its Vert.x: every instance's spans share one export queue.
      tracing = NodeTracing.start(config.tracing(), registry, node.id());
      node = node.withTracing(tracing);
      deployGateway(vertx, config, node, command.instances());
      if (command.admin()) {
        deployAdmin(vertx, config, registry);
      }
      NodeTracing started = tracing;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        stop(vertx, command.shutdownGrace());
        stopTracing(started);
      }, "sluice-stop"));
      System.out.printf("sluice: gateway listening on %s://%s:%d (%s%d instance%s, %d route%s, %s%s)%n",
        config.http().tlsOn() ? "https" : "http", config.http().host(), config.http().port(),
        config.http().http2On() ? "HTTP/2 and HTTP/1.1 by ALPN, " : "", command.instances(), command.instances() == 1 ? "" : "s",
        config.routes().size(), config.routes().size() == 1 ? "" : "s", NodeVertx.transport(vertx)
          + (config.http().tlsOn() ? ", " + TlsEngine.describe() : ""),
        cluster == null ? "" : ", cluster node " + node.id());
      if (config.http().redirectPort() != 0) {
        System.out.printf("sluice: http://%s:%d redirects to https (308)%n", config.http().host(), config.http().redirectPort());
      }
      if (tracing.enabled()) {
        System.out.printf("sluice: tracing to %s (sampleRatio %s, trustIncoming %s)%n", config.tracing().tracesUrl(),
          config.tracing().sampleRatio(), config.tracing().trustIncoming().name().toLowerCase(java.util.Locale.ROOT));
      }
    } catch (RuntimeException e) {
      vertx.close().await();
      stopTracing(tracing);
      throw e;
    }
  }

  /**
   * After Vert.x closed, so the last requests' spans are in the queue: exports them, bounded by the
   * exporter's own timeout (a dead collector costs the stop that, once).
   */
  static void stopTracing(NodeTracing tracing) {
    if (tracing == null) {
      return;
    }
    try {
      tracing.shutdown().await(CLOSE_MARGIN.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      System.err.println("sluice: tracing did not stop cleanly: " + e);
    }
  }

  /**
   * The shutdown hook (SIGTERM from {@code docker stop} or Kubernetes, Ctrl-C): closing Vert.x
   * undeploys every verticle, and each gateway instance drains before it lets go (its {@code stop()});
   * then the event bus closes and a clustered node leaves the cluster. Vert.x's close has no timeout
   * of its own, so the wait is bounded here.
   *
   * @return whether Vert.x closed in time
   */
  static boolean stop(Vertx vertx, Duration grace) {
    System.out.printf("sluice: stopping: no new connections; requests in flight have up to %d s to finish%n",
      grace.toSeconds());
    Duration bound = grace.plus(CLOSE_MARGIN);
    try {
      vertx.close().await(bound.toMillis(), TimeUnit.MILLISECONDS);
      System.out.println("sluice: stopped");
      return true;
    } catch (TimeoutException e) {
      System.err.printf("sluice: not stopped within %d s; exiting anyway%n", bound.toSeconds());
    } catch (Exception e) {
      // await() rethrows the close's own failure as it is, checked or not
      System.err.println("sluice: stop failed: " + e);
    }
    return false;
  }

  private static SluiceConfig readConfig(Command command, Map<String, String> env) {
    Vertx reader = Vertx.vertx();
    try {
      SluiceConfig config = await(ConfigLoader.load(reader, command.config(), env), "cannot read config");
      // The files the config names too: a bad certificate should not wait for a cluster to form either.
      await(UpstreamTrust.check(reader, config.routes()), "cannot read the routes' CA files");
      if (config.http().tlsOn()) {
        await(ServerCertificates.load(reader, config.http().tls()), "cannot read the TLS files");
      }
      return config;
    } finally {
      reader.close().await();
    }
  }

  /** Once per node: the control plane on its own port. */
  static void deployAdmin(Vertx vertx, SluiceConfig config, PrometheusMeterRegistry registry) {
    await(vertx.deployVerticle(new AdminVerticle(config, registry)),
      "cannot start the admin API on " + config.admin().host() + ":" + config.admin().port());
    System.out.printf("sluice: admin API on http://%s:%d (live page /ui/)%n", config.admin().host(), config.admin().port());
    if (config.admin().bridgeOn()) {
      System.out.printf("sluice: TCP event-bus bridge on %s:%d%n", config.admin().host(), config.admin().bridgePort());
    }
  }

  static void deployGateway(Vertx vertx, SluiceConfig config, GatewayNode node, int instances) {
    await(vertx.deployVerticle(() -> new GatewayVerticle(config, node),
        new DeploymentOptions().setInstances(instances)),
      "cannot start the gateway on " + config.http().host() + ":" + config.http().port());
    // One per node, whatever --instances says: sluice.stats carries the node's numbers, once.
    await(vertx.deployVerticle(new StatsPublisher(config, node)), "cannot start the stats publisher");
  }

  /** Waits on the main thread; a config problem passes through as it is, anything else is named. */
  static <T> T await(Future<T> future, String what) {
    try {
      return future.await();
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      // await() rethrows the cause as it is, checked or not (a BindException, say)
      throw SluiceMain.startupFailure(what, e);
    }
  }
}
