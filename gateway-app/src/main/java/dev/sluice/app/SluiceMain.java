package dev.sluice.app;

import dev.sluice.gateway.config.ConfigException;
import io.vertx.core.VertxException;

import java.io.PrintStream;
import java.net.BindException;
import java.util.Map;

/**
 * {@code java -jar sluice.jar demo | run --config F [--instances N]}. User mistakes (bad command
 * line, bad config) end with one line per problem and exit code 2, never a stack trace.
 */
public final class SluiceMain {
  static final int EXIT_USAGE = 2;
  static final int EXIT_START_FAILED = 1;

  private SluiceMain() {
  }

  public static void main(String[] args) {
    int code = start(args, System.getenv(), System.err);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Starts the node and returns 0 once it is serving (its threads keep the JVM alive), or an exit code. */
  static int start(String[] args, Map<String, String> env, PrintStream err) {
    try {
      Command command = Command.parse(args, env);
      switch (command.kind()) {
        case HELP -> System.out.println(Command.USAGE);
        case RUN -> SluiceNode.run(command, env);
        case DEMO -> SluiceDemo.run(command, env);
      }
      return 0;
    } catch (UsageException e) {
      err.println("sluice: " + e.getMessage());
      err.println(Command.USAGE);
      return EXIT_USAGE;
    } catch (ConfigException e) {
      e.problems().forEach(problem -> err.println("sluice: config: " + problem));
      return EXIT_USAGE;
    } catch (StartupException e) {
      err.println("sluice: " + e.getMessage());
      return EXIT_START_FAILED;
    }
  }

  /** Names a start-up failure the operator can act on (a port in use, Redis that will not start). */
  static StartupException startupFailure(String what, Throwable cause) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String reason = root instanceof BindException ? "address already in use" : String.valueOf(root.getMessage());
    return new StartupException(what + ": " + reason);
  }

  static final class StartupException extends VertxException {
    StartupException(String message) {
      super(message, true);
    }
  }
}
