package dev.sluice.localredis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real {@code redis-server} on a free loopback port, for tests and {@code sluice demo}.
 *
 * <p>Every method blocks (process start, PING polling, waiting for exit): call it from a main
 * thread, a test's setup or {@code executeBlocking}, never from an event loop.
 *
 * <p>The server binds 127.0.0.1 only and persists nothing ({@code save ""},
 * {@code appendonly no}); what a {@link RedisServerConfig} makes it write (a cluster node's
 * {@code nodes.conf}, a Sentinel's config file) stays in its temporary directory. It must never
 * outlive the JVM: {@link #close()} stops it and deletes that directory (log, and the binary if
 * copied out of the jar), a shutdown hook does the same at a normal JVM exit, and on Unix a
 * {@code /bin/sh} watchdog between the JVM and redis holds the pipe to our JVM open and stops
 * redis when that pipe closes, which also covers a JVM killed with SIGKILL (a surefire fork timing
 * out, a developer's ^C^C).
 */
public final class RedisServerProcess implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RedisServerProcess.class);
  private static final String LOOPBACK = "127.0.0.1";
  private static final long READY_TIMEOUT_MS = 20_000;
  private static final long STOP_TIMEOUT_MS = 10_000;
  private static final int PORT_ATTEMPTS = 5;
  /** Candidates drawn before giving up on a port whose cluster bus port (+10000) is free too. */
  private static final int BUS_PORT_CANDIDATES = 50;
  private static final int HIGHEST_PORT = 65_535;
  private static final String CONFIG_FILE = "redis.conf";
  private static final Path SHELL = Path.of("/bin/sh");
  /**
   * Runs redis as a child and waits for EOF on stdin (the JVM's end of the pipe); on EOF or on
   * SIGTERM/HUP/INT it stops redis and waits for it, so "watchdog exited" means "port is free".
   */
  private static final String WATCHDOG = String.join("\n",
      "\"$@\" </dev/null &",
      "pid=$!",
      "trap 'exit 143' TERM HUP INT",
      "trap 'kill \"$pid\" 2>/dev/null; wait \"$pid\"' EXIT",
      "while read -r _; do :; done");

  private final Path workDir;
  private final Path executable;
  private final RedisServerConfig config;
  private final int port;
  private final Thread shutdownHook;
  private Process process; // guarded by this; null while stopped
  private boolean closed; // guarded by this

  private RedisServerProcess(Path workDir, Path executable, RedisServerConfig config, int port) {
    this.workDir = workDir;
    this.executable = executable;
    this.config = config;
    this.port = port;
    // close(), not stop(): a caller that only stop()s must not leave the copied binary in /tmp.
    this.shutdownHook = new Thread(this::close, "sluice-redis-close-" + port);
  }

  /**
   * Starts redis on a free loopback port and returns once it answers PING.
   *
   * @throws IllegalStateException if no redis-server could be started
   */
  public static RedisServerProcess start() {
    return start(RedisServerConfig.standalone());
  }

  /**
   * Starts a redis-server of the given kind (a cluster node, a replica, a Sentinel) on a free
   * loopback port and returns once it answers PING.
   *
   * @throws IllegalStateException if no redis-server could be started
   */
  public static RedisServerProcess start(RedisServerConfig config) {
    Path workDir = createWorkDir();
    try {
      Path executable = RedisExecutable.locate(workDir);
      if (config.configFile().isPresent()) {
        Files.writeString(workDir.resolve(CONFIG_FILE), config.configFile().get(), StandardCharsets.UTF_8);
      }
      for (int attempt = 1; ; attempt++) {
        RedisServerProcess server = new RedisServerProcess(workDir, executable, config, freePort(config.clusterBus()));
        try {
          server.launch();
          Runtime.getRuntime().addShutdownHook(server.shutdownHook);
          LOG.info("redis-server {} listening on {}", executable, server.url());
          return server;
        } catch (PortTakenException e) {
          // Another process took the port between freePort() and redis' bind: pick another.
          if (attempt == PORT_ATTEMPTS) {
            throw new IllegalStateException("no free port for redis-server after " + attempt + " attempts", e);
          }
        }
      }
    } catch (IOException e) {
      deleteRecursively(workDir);
      throw new UncheckedIOException("cannot start redis-server", e);
    } catch (RuntimeException e) {
      deleteRecursively(workDir);
      throw e;
    }
  }

  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:PORT}, the form {@code redis.url} takes. */
  public String url() {
    return "redis://" + LOOPBACK + ":" + port;
  }

  /** The redis-server binary in use: from PATH or copied out of the embedded-redis jar. */
  public Path executable() {
    return executable;
  }

  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** Stops redis and waits until it has exited (its port is free again). Idempotent. */
  public synchronized void stop() {
    if (process == null) {
      return;
    }
    Process stopping = process;
    process = null;
    // SIGTERM: redis shuts down cleanly; the watchdog (if any) forwards it and waits for redis.
    stopping.destroy();
    try {
      if (!stopping.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
        LOG.warn("redis-server on port {} ignored SIGTERM for {} ms; killing it", port, STOP_TIMEOUT_MS);
        kill(stopping);
      }
    } catch (InterruptedException e) {
      kill(stopping);
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Freezes redis-server with SIGSTOP: its sockets stay open and the kernel still accepts
   * connections and buffers what clients send, but nothing is answered, as with a host that
   * vanished without a reset. Only this server's own process is signalled. Unix only.
   */
  public synchronized void pause() {
    signal("STOP");
  }

  /** Thaws a {@link #pause()}d redis-server (SIGCONT); it answers what was sent meanwhile. */
  public synchronized void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    if (process == null) {
      throw new IllegalStateException("redis-server on port " + port + " is not running");
    }
    // With the watchdog, redis-server is its child: signal redis itself, never the shell or anything else.
    // Compared by real path: Debian's /usr/bin/redis-server is a link, and the kernel names the target.
    Path real = realPath(executable.toString());
    long pid = process.descendants()
        .filter(p -> p.info().command().map(c -> realPath(c).equals(real)).orElse(false))
        .mapToLong(ProcessHandle::pid).findFirst()
        .orElseThrow(() -> new IllegalStateException("no redis-server process under " + process.pid()));
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).redirectErrorStream(true).start();
      if (!kill.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + pid + " failed: "
            + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot signal redis-server " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling redis-server " + pid, e);
    }
  }

  private static Path realPath(String file) {
    try {
      return Path.of(file).toRealPath();
    } catch (IOException | RuntimeException e) {
      return Path.of(file).toAbsolutePath().normalize();
    }
  }

  /**
   * Kills redis-server with SIGKILL, as a host that dies: no clean shutdown, no last write to
   * replicas, its clients' connections reset. Then waits, like {@link #stop()}, until it is gone.
   * Only this server's own process is signalled. Unix only.
   */
  public synchronized void crash() {
    signal("KILL");
    stop();
  }

  /** Stops redis and starts a fresh one (empty data, empty script cache) on the same port. */
  public synchronized void restart() {
    if (closed) {
      throw new IllegalStateException("redis-server on port " + port + " is closed");
    }
    stop();
    try {
      launch();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot restart redis-server on port " + port, e);
    }
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stop();
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException shutdownInProgress) {
      // We are the hook, or the JVM is exiting: nothing left to unregister.
    }
    deleteRecursively(workDir);
  }

  private synchronized void launch() throws IOException {
    Process started = new ProcessBuilder(command())
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.to(logFile().toFile()))
        .start();
    process = started;
    try {
      awaitReady(started);
    } catch (RuntimeException e) {
      process = null;
      kill(started);
      throw e;
    }
  }

  private List<String> command() {
    List<String> redis = new ArrayList<>();
    redis.add(executable.toString());
    // A config file must come first; Sentinel refuses to start without one (it rewrites it).
    config.configFile().ifPresent(text -> redis.add(workDir.resolve(CONFIG_FILE).toString()));
    redis.addAll(List.of(
        "--port", Integer.toString(port),
        "--bind", LOOPBACK,
        "--save", "",
        "--appendonly", "no",
        "--daemonize", "no",
        "--dir", workDir.toString(),
        "--logfile", "",
        "--loglevel", "warning"));
    redis.addAll(config.arguments());
    if (!Files.isExecutable(SHELL)) {
      return redis; // no watchdog (Windows): the shutdown hook and close() still stop it
    }
    List<String> command = new ArrayList<>(List.of(SHELL.toString(), "-c", WATCHDOG, "sluice-redis-watchdog"));
    command.addAll(redis);
    return command;
  }

  private void awaitReady(Process started) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READY_TIMEOUT_MS);
    try {
      while (System.nanoTime() < deadline) {
        if (answersPing()) {
          return;
        }
        // Doubles as the pause between polls and as the "did it die?" check.
        if (started.waitFor(25, TimeUnit.MILLISECONDS)) {
          String log = logTail();
          if (log.contains("Address already in use")) {
            throw new PortTakenException(port);
          }
          throw new IllegalStateException("redis-server exited with " + started.exitValue() + ": " + log);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting redis-server", e);
    }
    throw new IllegalStateException("redis-server did not answer PING within " + READY_TIMEOUT_MS + " ms: " + logTail());
  }

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(LOOPBACK, port), 250);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] pong = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);
      return Arrays.equals(in.readNBytes(pong.length), pong);
    } catch (IOException notYet) {
      return false;
    }
  }

  private Path logFile() {
    return workDir.resolve("redis-" + port + ".log");
  }

  private String logTail() {
    try {
      List<String> lines = Files.readAllLines(logFile(), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static void kill(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * A free loopback port; with {@code clusterBus}, one whose bus port (+10000) is free as well.
   * Both can be taken before redis binds them: launch() notices and start() tries another.
   */
  private static int freePort(boolean clusterBus) throws IOException {
    for (int candidate = 0; candidate < BUS_PORT_CANDIDATES; candidate++) {
      int port = freePort();
      int bus = port + RedisServerConfig.CLUSTER_BUS_OFFSET;
      if (!clusterBus || bus <= HIGHEST_PORT && isFree(bus)) {
        return port;
      }
    }
    throw new IOException("no free port p with p + " + RedisServerConfig.CLUSTER_BUS_OFFSET + " free after "
        + BUS_PORT_CANDIDATES + " candidates");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
      return socket.getLocalPort();
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK))) {
      return true;
    } catch (IOException taken) {
      return false;
    }
  }

  private static Path createWorkDir() {
    try {
      return Files.createTempDirectory("sluice-redis-");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create a directory for redis-server", e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("could not delete {}: {}", dir, e.toString());
    }
  }

  /** Redis lost the race for the port we picked; start() retries with another one. */
  private static final class PortTakenException extends IllegalStateException {
    PortTakenException(int port) {
      super("port " + port + " is already in use");
    }
  }
}
