package dev.sluice.mock;

/**
 * The command line of {@code upstream-mock.jar}:
 * {@code --port N [--host H] [--instances N]} (also {@code --port=N}), or {@code --help}.
 *
 * @param instances verticle instances; each keeps its own stats and fault settings
 */
public record UpstreamMockArgs(String host, int port, int instances, boolean help) {
  public static final String USAGE =
      "usage: java -jar upstream-mock.jar [--port N] [--host H] [--instances N]"
          + " (defaults: --port " + UpstreamMockOptions.DEFAULT_PORT
          + " --host " + UpstreamMockOptions.DEFAULT_HOST + " --instances 1; port 0 = ephemeral)";
  public static final int MAX_INSTANCES = 1024;

  /**
   * @throws IllegalArgumentException with a one-line message naming the bad argument
   */
  public static UpstreamMockArgs parse(String[] args) {
    String host = null;
    Integer port = null;
    Integer instances = null;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        return new UpstreamMockArgs(UpstreamMockOptions.DEFAULT_HOST, UpstreamMockOptions.DEFAULT_PORT, 1, true);
      }
      String name = arg;
      String value;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        value = null;
      }
      switch (name) {
        case "--port" -> port = once(name, port, whole(name, value, 0, 65535));
        case "--host" -> host = once(name, host, nonBlank(name, value));
        case "--instances" -> instances = once(name, instances, whole(name, value, 1, MAX_INSTANCES));
        default -> throw new IllegalArgumentException("unknown argument '" + arg + "'");
      }
    }
    return new UpstreamMockArgs(
        host != null ? host : UpstreamMockOptions.DEFAULT_HOST,
        port != null ? port : UpstreamMockOptions.DEFAULT_PORT,
        instances != null ? instances : 1,
        false);
  }

  public UpstreamMockOptions toOptions() {
    return new UpstreamMockOptions().setHost(host).setPort(port);
  }

  private static <T> T once(String name, T previous, T value) {
    if (previous != null) {
      throw new IllegalArgumentException(name + " given twice");
    }
    return value;
  }

  private static int whole(String name, String value, int min, int max) {
    if (value == null) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    int parsed;
    try {
      parsed = Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + ": not a whole number: '" + value + "'");
    }
    if (parsed < min || parsed > max) {
      throw new IllegalArgumentException(name + ": must be between " + min + " and " + max + ", got " + parsed);
    }
    return parsed;
  }

  private static String nonBlank(String name, String value) {
    if (value == null) {
      throw new IllegalArgumentException(name + " needs a value");
    }
    if (value.isBlank()) {
      throw new IllegalArgumentException(name + ": must not be blank");
    }
    return value;
  }
}
