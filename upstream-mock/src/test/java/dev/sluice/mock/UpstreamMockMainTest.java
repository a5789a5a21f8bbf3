package dev.sluice.mock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The command line as an operator meets it: a separate JVM, real exit codes and output. */
@ExtendWith(VertxExtension.class)
class UpstreamMockMainTest {
  private static final Pattern LISTENING = Pattern.compile("upstream-mock listening on (http://127\\.0\\.0\\.1:(\\d+))");

  @Test
  void aBadPortExitsWithCode2AndOneLineOnStderr() throws Exception {
    Process process = launch("--port", "not-a-port");
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "did not exit");
    String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, process.exitValue());
    assertEquals("upstream-mock: --port: not a whole number: 'not-a-port' (try --help)", stderr.strip());
    assertEquals("", stdout);
  }

  @Test
  void printsWhereItListensOnceReady() throws Exception {
    Process process = launch("--port", "0");
    try (BufferedReader stdout = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line = stdout.readLine(); // blocks until the line or the end of the stream
      assertNotNull(line, "exited before listening");
      Matcher listening = LISTENING.matcher(line);
      assertTrue(listening.matches(), line);
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(listening.group(1) + "/")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals("{\"ok\":true}", response.body());
    } finally {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void severalInstancesOnAnEphemeralPortShareThatOnePort(Vertx vertx, VertxTestContext ctx) {
    UpstreamMockMain.deploy(vertx, new UpstreamMockOptions().setPort(0), 3)
        .onComplete(ctx.succeeding(verticles -> ctx.verify(() -> {
          assertEquals(3, verticles.size());
          int port = verticles.get(0).actualPort();
          assertTrue(port > 0);
          verticles.forEach(verticle -> assertEquals(port, verticle.actualPort()));
          ctx.completeNow();
        })));
  }

  @Test
  void bracketsIpv6HostsInTheUrl() {
    assertEquals("[::1]:80", UpstreamMockMain.authority("::1", 80));
    assertFalse(UpstreamMockMain.authority("localhost", 80).contains("["));
  }

  private static Process launch(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        UpstreamMockMain.class.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).start();
  }
}
