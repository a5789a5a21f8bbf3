package dev.sluice.admin.bridge;

import dev.sluice.admin.AdminNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The polyglot proof: examples/sluice_bridge.py (Python's standard library only) against a real
 * node's TCP bridge. It tails a circuit that the test trips through the gateway, sees the node's
 * stats, and resets the circuit with the token (and fails without the right one).
 */
class PythonClientTest {
  static final Path CLIENT = Path.of("..", "examples", "sluice_bridge.py").toAbsolutePath().normalize();
  static final long BOUND_S = 20;
  @RegisterExtension
  static final AdminNode node = AdminNode.assuming(() -> {
    assumeTrue(python3Runs(), "python3 is not on PATH: skipping the Python bridge client test (install python3 to run it)");
    assumeTrue(Files.isRegularFile(CLIENT), "no " + CLIENT);
  });

  @Test
  void pythonTailsATrippedCircuitAndStatsAndResetsItWithTheToken() throws Exception {
    Process tail = python(null, "tail", "--max-seconds", "60");
    try {
      BlockingQueue<JsonObject> lines = linesOf(tail);
      next(lines, line -> line.getBoolean("ready", false));

      // The users route trips after two failures, and none is retried.
      assertEquals(500, node.gatewayStatus("/users/status/500"));
      assertEquals(500, node.gatewayStatus("/users/status/500"));

      JsonObject opened = next(lines, line -> isEvent(line, "users", "OPEN"));
      assertEquals("CLUSTER", opened.getJsonObject("body").getString("scope"));
      JsonObject stats = next(lines, line -> "sluice.stats".equals(line.getString("address")));
      assertTrue(stats.getJsonObject("body").getJsonArray("routes").size() == 2, stats.encode());

      Result wrong = run("not-the-token", "reset", "users");
      assertEquals(1, wrong.exit, wrong.toString());
      assertTrue(wrong.err.contains("FORBIDDEN"), wrong.toString());
      assertEquals("OPEN", node.circuit("users").getString("state"), "a wrong token changes nothing");

      Result reset = run(AdminNode.TOKEN, "reset", "users");
      assertEquals(0, reset.exit, reset.toString());
      assertEquals("CLOSED", new JsonObject(reset.out.trim()).getString("state"));
      next(lines, line -> isEvent(line, "users", "CLOSED"));
      node.await("the gateway serves /users again", 10, () -> node.gatewayStatus("/users/anything") == 200);
    } finally {
      tail.destroy();
      tail.waitFor(5, TimeUnit.SECONDS);
    }
  }

  private static boolean isEvent(JsonObject line, String route, String state) {
    JsonObject body = line.getJsonObject("body");
    return "sluice.circuit.events".equals(line.getString("address")) && body != null
      && route.equals(body.getString("route")) && state.equals(body.getString("state"));
  }

  private static Process python(String token, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("python3", CLIENT.toString(), "--port",
      String.valueOf(node.bridgePort()), "--json"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().remove("SLUICE_ADMIN_TOKEN");
    if (token != null) {
      builder.environment().put("SLUICE_ADMIN_TOKEN", token);
    }
    return builder.start();
  }

  record Result(int exit, String out, String err) {
  }

  private static Result run(String token, String... args) throws Exception {
    Process process = python(token, args);
    // Its output is a line or two: reading it to the end cannot fill a pipe and stall the child.
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(BOUND_S, TimeUnit.SECONDS), "python3 did not finish within " + BOUND_S + " s");
    return new Result(process.exitValue(), out, err);
  }

  /** Each line the process prints, parsed, as it comes; a reader thread so that waits stay bounded. */
  private static BlockingQueue<JsonObject> linesOf(Process process) {
    BlockingQueue<JsonObject> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = in.readLine(); line != null; line = in.readLine()) {
          lines.add(new JsonObject(line));
        }
      } catch (IOException e) {
        // the process ended
      }
    }, "python-tail-reader");
    reader.setDaemon(true);
    reader.start();
    return lines;
  }

  private static JsonObject next(BlockingQueue<JsonObject> lines, Predicate<JsonObject> match) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(BOUND_S);
    while (true) {
      long left = deadline - System.nanoTime();
      JsonObject line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("python3 printed no matching line within " + BOUND_S + " s");
      }
      if (match.test(line)) {
        return line;
      }
    }
  }

  private static boolean python3Runs() {
    try {
      Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
