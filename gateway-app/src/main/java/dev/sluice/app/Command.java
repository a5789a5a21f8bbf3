package dev.sluice.app;

import dev.sluice.gateway.GatewayNode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The parsed command line.
 *
 * @param config the config file for {@code run}; null for {@code demo}
 * @param instances gateway verticle instances on this node: {@code --instances}, else
 *   {@code SLUICE_INSTANCES}, else the number of cores (one event loop each, as nginx's
 *   {@code worker_processes auto})
 * @param shutdownGrace how long a stopping node lets requests in flight finish
 * @param tls {@code demo --tls}: the demo's gateway on https with a throwaway self-signed certificate
 */
record Command(Kind kind, Path config, int instances, boolean cluster, boolean admin, Duration shutdownGrace,
               boolean tls) {
  enum Kind { RUN, DEMO, HELP }

  /** An hour: longer than any orchestrator waits between SIGTERM and SIGKILL. */
  static final int MAX_SHUTDOWN_GRACE_SECONDS = 3600;
  static final int MAX_INSTANCES = 1024;

  static final String USAGE = String.join("\n",
    "usage: java -jar sluice.jar demo [--tls]",
    "       java -jar sluice.jar run --config gateway.yaml [--cluster] [--instances N] [--no-admin]",
    "       --instances defaults to the number of cores",
    "env:   SLUICE_HTTP_PORT SLUICE_ADMIN_PORT SLUICE_REDIS_URL SLUICE_ADMIN_TOKEN SLUICE_INSTANCES SLUICE_LOG_FORMAT",
    "       SLUICE_TLS_CERT SLUICE_TLS_KEY",
    "       SLUICE_CLUSTER_MEMBERS SLUICE_CLUSTER_PORT SLUICE_CLUSTER_NAME SLUICE_CLUSTER_HOST",
    "       SLUICE_EVENTBUS_HOST SLUICE_EVENTBUS_PORT SLUICE_SHUTDOWN_GRACE_SECONDS");

  static Command parse(String[] args, Map<String, String> env) {
    return parse(args, env, Runtime.getRuntime().availableProcessors());
  }

  /** @param cores what {@code --instances} defaults to */
  static Command parse(String[] args, Map<String, String> env, int cores) {
    if (args.length == 0) {
      throw new UsageException("missing command: demo or run");
    }
    String fromEnv = env.get("SLUICE_INSTANCES");
    // Unset or blank: the default, as for the config's own environment overrides.
    int instances = fromEnv == null || fromEnv.isBlank()
      ? Math.max(1, Math.min(cores, MAX_INSTANCES)) : positive("SLUICE_INSTANCES", fromEnv);
    Duration shutdownGrace = graceSeconds(env.get("SLUICE_SHUTDOWN_GRACE_SECONDS"));
    Path config = null;
    boolean cluster = false;
    boolean admin = true;
    boolean tls = false;
    Kind kind = switch (args[0]) {
      case "run" -> Kind.RUN;
      case "demo" -> Kind.DEMO;
      case "help", "--help", "-h" -> Kind.HELP;
      default -> throw new UsageException("unknown command '" + args[0] + "'");
    };
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--config" -> config = Path.of(value(args, ++i, "--config"));
        case "--cluster" -> cluster = true;
        case "--no-admin" -> admin = false;
        case "--tls" -> tls = true;
        case "--instances" -> instances = positive("--instances", value(args, ++i, "--instances"));
        default -> throw new UsageException("unknown option '" + args[i] + "'");
      }
    }
    if (kind == Kind.RUN && config == null) {
      throw new UsageException("run needs --config <file>");
    }
    if (kind == Kind.DEMO && (config != null || cluster)) {
      throw new UsageException("demo runs one node with its own config; use run --config [--cluster] for yours");
    }
    if (kind == Kind.RUN && tls) {
      throw new UsageException("--tls is the demo's; for run, set http.tls in the config");
    }
    return new Command(kind, config, instances, cluster, admin, shutdownGrace, tls);
  }

  private static String value(String[] args, int index, String option) {
    if (index >= args.length || args[index].startsWith("--")) {
      throw new UsageException(option + " needs a value");
    }
    return args[index];
  }

  /** Unset or blank: the default, as for the config's own environment overrides. */
  private static Duration graceSeconds(String value) {
    if (value == null || value.isBlank()) {
      return GatewayNode.DEFAULT_SHUTDOWN_GRACE;
    }
    try {
      int seconds = Integer.parseInt(value.trim());
      if (seconds >= 0 && seconds <= MAX_SHUTDOWN_GRACE_SECONDS) {
        return Duration.ofSeconds(seconds);
      }
    } catch (NumberFormatException ignored) {
      // reported below, with the variable's name
    }
    throw new UsageException("SLUICE_SHUTDOWN_GRACE_SECONDS: must be a whole number of seconds between 0 and "
      + MAX_SHUTDOWN_GRACE_SECONDS + ", got '" + value + "'");
  }

  private static int positive(String name, String value) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 1 && n <= MAX_INSTANCES) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // reported below, with the name the user typed
    }
    throw new UsageException(name + ": must be a whole number between 1 and " + MAX_INSTANCES + ", got '" + value + "'");
  }
}
