package dev.sluice.localredis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class RedisServerProcessTest {
  private static final long AWAIT_S = 10;

  @Test
  void startsOnLoopbackAnswersPingKeepsNothingOnDiskAndStops(Vertx vertx) throws Exception {
    RedisServerProcess server = RedisServerProcess.start();
    Redis client = Redis.createClient(vertx, server.url());
    try {
      assertEquals("redis://127.0.0.1:" + server.port(), server.url());
      assertTrue(Files.isExecutable(server.executable()), server.executable().toString());
      assertEquals("PONG", await(client.send(Request.cmd(Command.PING))).toString());
      assertEquals("", config(client, "save"));
      assertEquals("no", config(client, "appendonly"));
      assertEquals("127.0.0.1", config(client, "bind"));
    } finally {
      await(client.close());
      server.close();
    }
    assertFalse(server.isRunning());
    assertFalse(acceptsConnections(server.port()), "port " + server.port() + " still open after close()");
  }

  @Test
  void restartComesBackOnTheSamePortWithNoData(Vertx vertx) throws Exception {
    try (RedisServerProcess server = RedisServerProcess.start()) {
      Redis client = Redis.createClient(vertx, server.url());
      await(client.send(Request.cmd(Command.SET).arg("sluice:test").arg("1")));

      int port = server.port();
      server.restart();

      assertEquals(port, server.port());
      assertTrue(server.isRunning());
      assertNull(await(client.send(Request.cmd(Command.GET).arg("sluice:test"))));
      await(client.close());
    }
  }

  @Test
  void stopIsIdempotentAndFreesThePort() {
    try (RedisServerProcess server = RedisServerProcess.start()) {
      server.stop();
      server.stop();
      assertFalse(server.isRunning());
      assertFalse(acceptsConnections(server.port()));
    }
  }

  @Test
  void twoServersGetTwoPorts() {
    try (RedisServerProcess a = RedisServerProcess.start(); RedisServerProcess b = RedisServerProcess.start()) {
      assertNotEquals(a.port(), b.port());
    }
  }

  /** The watchdog's promise: a JVM killed with SIGKILL (no shutdown hook runs) takes its redis down. */
  @Test
  void redisDiesWithAJvmKilledBySigkill() throws Exception {
    Process child = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        StartAndWait.class.getName())
        .redirectErrorStream(true)
        .start();
    Path[] childDir = new Path[1];
    try {
      int port = portPrintedBy(child, childDir);
      assertTrue(acceptsConnections(port), "child's redis is not up");

      child.destroyForcibly();
      assertTrue(child.waitFor(AWAIT_S, TimeUnit.SECONDS));

      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(AWAIT_S);
      while (acceptsConnections(port) && System.nanoTime() < deadline) {
        child.onExit().get(50, TimeUnit.MILLISECONDS); // already exited: a cheap pause between polls
      }
      assertFalse(acceptsConnections(port), "redis on port " + port + " outlived its JVM");
    } finally {
      child.destroyForcibly();
      deleteCopiedBinary(childDir[0]);
    }
  }

  /** Runs in a child JVM: starts redis, prints its port, waits to be killed. */
  static final class StartAndWait {
    public static void main(String[] args) throws InterruptedException {
      RedisServerProcess server = RedisServerProcess.start();
      System.out.println("DIR=" + server.executable().getParent());
      System.out.println("PORT=" + server.port());
      System.out.flush();
      new java.util.concurrent.CountDownLatch(1).await();
    }
  }

  /** A SIGKILLed JVM cannot clean up its copy of the binary; do it for it (never a PATH install). */
  private static void deleteCopiedBinary(Path dir) throws IOException {
    if (dir == null || !dir.getFileName().toString().startsWith("sluice-redis-")) {
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  private static int portPrintedBy(Process child, Path[] dir) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    // Bounded by the child: it prints PORT= or exits (and readLine() then returns null).
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      if (line.startsWith("DIR=")) {
        dir[0] = Path.of(line.substring("DIR=".length()).trim());
      }
      if (line.startsWith("PORT=")) {
        Thread drainer = new Thread(() -> lines.lines().forEach(ignored -> { }), "child-output");
        drainer.setDaemon(true);
        drainer.start();
        return Integer.parseInt(line.substring("PORT=".length()).trim());
      }
    }
    throw new IllegalStateException("child JVM exited without starting redis");
  }

  private static boolean acceptsConnections(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (IOException refused) {
      return false;
    }
  }

  private static String config(Redis client, String name) throws Exception {
    Response reply = await(client.send(Request.cmd(Command.CONFIG).arg("GET").arg(name)));
    // RESP3 answers a map, RESP2 a [name, value] array.
    return reply.isMap() ? reply.get(name).toString() : reply.get(1).toString();
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.await(AWAIT_S, TimeUnit.SECONDS);
  }
}
