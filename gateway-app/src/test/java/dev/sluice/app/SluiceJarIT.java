package dev.sluice.app;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fat jar as a user runs it: a separate JVM, a config file, real ports. */
class SluiceJarIT {
  @RegisterExtension
  static final GatewayNodes parts = GatewayNodes.standalone();

  @Test
  void aBadConfigStopsStartUpWithExitCode2AndOneLineNamingTheField(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, String.join("\n",
      "routes:",
      "  - name: users",
      "    prefix: /users",
      "    upstream: http://127.0.0.1:5001",
      "  - name: orders",
      "    prefix: /orders",
      "    upstream: not-a-url",
      ""));
    Process process = sluice("run", "--config", config.toString()).start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "a bad config must stop start-up");
    String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, process.exitValue(), err);
    List<String> lines = err.lines().toList();
    assertEquals(1, lines.size(), err);
    assertTrue(lines.get(0).contains("routes[1].upstream"), err);
    assertFalse(err.contains("Exception") || err.contains("\tat "), "no stack trace for a user's mistake: " + err);
  }

  @Test
  void runServesTheConfiguredRoutes(@TempDir Path dir) throws Exception {
    int port = freePort();
    Path config = dir.resolve("gateway.yaml");
    Files.writeString(config, String.join("\n",
      "http: { host: 127.0.0.1, port: " + port + " }",
      "admin: { host: 127.0.0.1, port: " + freePort() + " }",
      "redis: { url: \"" + parts.redis.url() + "\" }",
      "routes:",
      "  - name: users",
      "    prefix: /users",
      "    upstream: http://127.0.0.1:" + parts.mockPort + "/anything",
      ""));
    Process process = sluice("run", "--config", config.toString(), "--instances", "2")
      .redirectOutput(ProcessBuilder.Redirect.PIPE).start();
    try {
      String line = firstLineContaining(process, "listening");
      assertTrue(line.contains(":" + port), line);
      if (isLinuxX64()) {
        // The jar carries Netty's native epoll for this platform, and the node says it runs on it.
        assertTrue(line.contains(", epoll"), line);
      }
      HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/users/42")).header("X-Request-Id", "it-req-42")
          .timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      assertTrue(response.body().contains("\"path\":\"/anything/users/42\""), response.body());

      JsonObject access = new JsonObject(firstLineContaining(process, "it-req-42"));
      assertEquals("sluice.access", access.getString("logger"));
      assertEquals("INFO", access.getString("level"));
      assertEquals("it-req-42", access.getString("requestId"));
      assertEquals("users", access.getString("route"));
      assertEquals("127.0.0.1", access.getString("client"));
      assertEquals(200, access.getInteger("status"));
      assertEquals(1, access.getInteger("attempts"));
      assertTrue(access.getDouble("durationMs") >= 0);
      assertTrue(access.getString("timestamp").endsWith("Z"), access.getString("timestamp"));
    } finally {
      process.destroy();
      process.waitFor(20, TimeUnit.SECONDS);
    }
  }

  @Test
  void theDemoLogsTextFromItsFirstLine() throws Exception {
    ProcessBuilder builder = sluice("demo").redirectErrorStream(true);
    builder.environment().put("SLUICE_HTTP_PORT", String.valueOf(freePort()));
    builder.environment().put("SLUICE_ADMIN_PORT", String.valueOf(freePort()));
    builder.environment().remove("SLUICE_LOG_FORMAT");
    Process process = builder.start();
    try {
      String first = firstLineContaining(process, "");
      assertTrue(first.contains("redis-server") && !first.startsWith("{"), first);
      firstLineContaining(process, "Sluice demo is running");
    } finally {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  static ProcessBuilder sluice(String... args) {
    return sluice(List.of(), args);
  }

  /** @param jvmOptions such as {@code -Xmx128m}, before {@code -jar} */
  static ProcessBuilder sluice(List<String> jvmOptions, String... args) {
    String jar = System.getProperty("sluice.jar", "target/sluice.jar");
    List<String> command = new java.util.ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar));
    command.addAll(List.of(args));
    return new ProcessBuilder(command);
  }

  /** Reads the process's output for at most a minute, so a hung start fails the test instead of the build. */
  static String firstLineContaining(Process process, String text) throws Exception {
    var reader = process.inputReader();
    return java.util.concurrent.CompletableFuture.supplyAsync(() -> {
      try {
        String line;
        while ((line = reader.readLine()) != null) {
          if (line.contains(text)) {
            return line;
          }
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      throw new AssertionError("the process ended without printing '" + text + "'");
    }).get(60, TimeUnit.SECONDS);
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static boolean isLinuxX64() {
    String arch = System.getProperty("os.arch");
    return System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux")
      && ("amd64".equals(arch) || "x86_64".equals(arch));
  }
}
