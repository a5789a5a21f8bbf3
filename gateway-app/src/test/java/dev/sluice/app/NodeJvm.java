package dev.sluice.app;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A sluice node in a JVM of its own, started from the fat jar with its output going to a file, so
 * a chatty node can never block on a full pipe. The ITs' Node records implement it.
 */
interface NodeJvm {
  String name();

  Process process();

  Path log();

  /** Starts {@code jar} (see {@link SluiceJarIT#sluice}) with its output and errors in {@code log}. */
  static Process start(ProcessBuilder jar, Path log) throws IOException {
    return jar.redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  default String readLog() throws IOException {
    return Files.exists(log()) ? Files.readString(log(), StandardCharsets.UTF_8) : "";
  }

  /** True once the log says the node listens, false if the JVM exited first; fails the test after {@code timeoutMs}. */
  default boolean awaitListening(long timeoutMs) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
    while (System.nanoTime() < deadline) {
      if (readLog().contains("gateway listening")) {
        return true;
      }
      if (process().waitFor(100, TimeUnit.MILLISECONDS)) {
        return false;
      }
    }
    return fail("node " + name() + " did not start within " + timeoutMs + " ms: " + readLog());
  }

  /** As {@link #awaitListening}, but a JVM that exited first fails the test too, with its exit code and log. */
  default void awaitListeningOrFail(long timeoutMs) throws Exception {
    if (!awaitListening(timeoutMs)) {
      fail("node " + name() + " exited with " + process().exitValue() + ": " + readLog());
    }
  }

  /** SIGTERM, then SIGKILL if the JVM has not exited after 20 s; bounded either way. */
  default void stop() {
    Process process = process();
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
