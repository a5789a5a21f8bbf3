package dev.sluice.app;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Gateway JVMs ({@code sluice.jar run --cluster}) on one Hazelcast cluster of their own over
 * loopback: a name and ports no other run uses, and TCP-IP join through a members list of three
 * (the bundled cluster.xml turns multicast off, so the list is the only way they find each
 * other). Each node's output goes to a log file next to its config ({@link NodeJvm}), never
 * through a pipe someone must keep reading.
 */
final class LoopbackCluster implements AutoCloseable {
  /** A loaded 2-core machine starts a clustered JVM in seconds; a minute means it will not. */
  static final long START_TIMEOUT_MS = 60_000;

  private final String name;
  private final int port;
  private final List<Process> processes = new ArrayList<>();

  /** @param name its Hazelcast cluster name starts with this */
  LoopbackCluster(String name) throws IOException {
    this.port = SluiceJarIT.freePort();
    this.name = name + "-" + port;
  }

  record Member(String name, Process process, Path log) implements NodeJvm {
  }

  /**
   * Starts a node with {@code config} and waits until it listens (it joins the cluster before):
   * nodes started one after another each join the cluster the first one formed.
   *
   * @param args after {@code run --config <config> --cluster}, such as {@code --instances 2}
   */
  Member start(Path config, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("run", "--config", config.toString(), "--cluster"));
    command.addAll(List.of(args));
    ProcessBuilder jar = SluiceJarIT.sluice(command.toArray(String[]::new));
    jar.environment().put("SLUICE_CLUSTER_NAME", name);
    jar.environment().put("SLUICE_CLUSTER_PORT", String.valueOf(port));
    jar.environment().put("SLUICE_CLUSTER_MEMBERS",
      "127.0.0.1:" + port + ",127.0.0.1:" + (port + 1) + ",127.0.0.1:" + (port + 2));
    String file = config.getFileName().toString().replaceFirst("\\.ya?ml$", "");
    Path log = config.resolveSibling(file + ".log");
    Member member = new Member(file, NodeJvm.start(jar, log), log);
    processes.add(member.process());
    member.awaitListeningOrFail(START_TIMEOUT_MS);
    return member;
  }

  /** Kills every node it started (SIGKILL: the tests' nodes hold nothing worth a graceful stop). */
  @Override
  public void close() throws InterruptedException {
    for (Process process : processes) {
      process.destroyForcibly();
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }
}
