package dev.sluice.mock;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code java -jar upstream-mock.jar --port N [--host H] [--instances N]}.
 *
 * <p>Exit codes: 2 for a bad command line, 1 when the server cannot start (port taken); both
 * with one line on stderr, never a stack trace. When ready it prints exactly one line on stdout,
 * {@code upstream-mock listening on http://host:port}, which scripts wait for.
 */
public final class UpstreamMockMain {
  static final int EXIT_BAD_ARGS = 2;
  static final int EXIT_START_FAILED = 1;

  private UpstreamMockMain() {
  }

  public static void main(String[] argv) {
    UpstreamMockArgs args;
    try {
      args = UpstreamMockArgs.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("upstream-mock: " + e.getMessage() + " (try --help)");
      System.exit(EXIT_BAD_ARGS);
      return;
    }
    if (args.help()) {
      System.out.println(UpstreamMockArgs.USAGE);
      return;
    }
    start(args);
  }

  // Runs on the main thread, not an event loop, so waiting for the deployment is allowed here.
  private static void start(UpstreamMockArgs args) {
    Vertx vertx = Vertx.vertx();
    Future<List<UpstreamMockVerticle>> deployment = deploy(vertx, args.toOptions(), args.instances());
    // otherwiseEmpty: wait for the outcome without await() rethrowing a checked BindException.
    deployment.otherwiseEmpty().await();
    if (deployment.failed()) {
      Throwable cause = deployment.cause();
      String why = cause.getMessage() != null ? cause.getMessage() : cause.toString();
      System.err.println("upstream-mock: cannot listen on " + authority(args.host(), args.port()) + ": " + why);
      closeQuietly(vertx);
      System.exit(EXIT_START_FAILED);
      return;
    }
    if (args.instances() > 1) {
      System.err.println("upstream-mock: " + args.instances() + " instances; each keeps its own"
          + " /__mock/stats and /__mock/config (use 1 instance to read stats or inject faults)");
    }
    int port = deployment.result().get(0).actualPort();
    System.out.println("upstream-mock listening on http://" + authority(args.host(), port));
  }

  /**
   * Deploys {@code instances} verticles that all listen on one port, even when it is 0. Several
   * such deployments on port 0 in one Vert.x would share that port too; the launcher makes one.
   */
  static Future<List<UpstreamMockVerticle>> deploy(Vertx vertx, UpstreamMockOptions options, int instances) {
    UpstreamMockOptions perInstance = new UpstreamMockOptions(options);
    if (options.getPort() == 0 && instances > 1) {
      // Port 0 gives every instance its own ephemeral port, all but one unreachable; a negative
      // port asks Vert.x for one random port shared by the servers that name it.
      perInstance.setPort(UpstreamMockOptions.SHARED_EPHEMERAL_PORT);
    }
    List<UpstreamMockVerticle> deployed = new CopyOnWriteArrayList<>();
    return vertx.deployVerticle(() -> {
      UpstreamMockVerticle verticle = new UpstreamMockVerticle(perInstance);
      deployed.add(verticle);
      return verticle;
    }, new DeploymentOptions().setInstances(instances)).map(id -> List.copyOf(deployed));
  }

  static String authority(String host, int port) {
    // A literal IPv6 address needs brackets in a URL.
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  private static void closeQuietly(Vertx vertx) {
    try {
      vertx.close().otherwiseEmpty().await(5, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      // Exiting anyway; a slow close must not hold back the exit code already decided.
    }
  }
}
