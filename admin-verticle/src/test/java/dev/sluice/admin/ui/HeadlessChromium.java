package dev.sluice.admin.ui;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A headless Chromium of the machine's own (Debian's package), started with a fresh profile and
 * the DevTools protocol on a port of its choosing, which it writes to {@code DevToolsActivePort}
 * in the profile. Flags keep it from reaching out to anything (updates, sync, QUIC).
 */
final class HeadlessChromium implements AutoCloseable {
  static final long START_S = 30;

  private final Process process;
  private final Path profile;
  private final int port;

  private HeadlessChromium(Process process, Path profile, int port) {
    this.process = process;
    this.profile = profile;
    this.port = port;
  }

  /** The browser to use: /usr/bin/chromium, or chromium / chromium-browser on PATH. */
  static Optional<Path> find() {
    Stream<Path> candidates = Stream.concat(Stream.of(Path.of("/usr/bin/chromium")),
      Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
        .filter(dir -> !dir.isBlank())
        .flatMap(dir -> Stream.of(Path.of(dir, "chromium"), Path.of(dir, "chromium-browser"))));
    return candidates.filter(Files::isExecutable).findFirst();
  }

  static HeadlessChromium start(Path binary) throws Exception {
    Path profile = Files.createTempDirectory("sluice-chromium-");
    Process process = new ProcessBuilder(List.of(binary.toString(), "--headless", "--no-sandbox", "--disable-gpu",
      "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--user-data-dir=" + profile, "--remote-debugging-port=0", "--window-size=1400,900",
      "about:blank"))
      .redirectErrorStream(true)
      .redirectOutput(profile.resolve("chromium.log").toFile())
      .start();
    try {
      Path portFile = profile.resolve("DevToolsActivePort");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_S);
      while (!Files.isRegularFile(portFile) || Files.readAllLines(portFile).isEmpty()) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("chromium did not open its DevTools port within " + START_S + " s: "
            + Files.readString(profile.resolve("chromium.log")));
        }
        Thread.sleep(50); // a test thread waiting on another process, not an event loop
      }
      int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
      return new HeadlessChromium(process, profile, port);
    } catch (Exception e) {
      process.destroyForcibly();
      delete(profile);
      throw e;
    }
  }

  /** The DevTools WebSocket of the page the browser opened with. */
  String pageWebSocket() throws Exception {
    HttpResponse<String> list = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + port + "/json/list")).timeout(Duration.ofSeconds(START_S)).build(),
      HttpResponse.BodyHandlers.ofString());
    return new JsonArray(list.body()).stream().map(JsonObject.class::cast)
      .filter(t -> "page".equals(t.getString("type"))).findFirst()
      .orElseThrow(() -> new IllegalStateException("no page target: " + list.body()))
      .getString("webSocketDebuggerUrl");
  }

  @Override
  public void close() throws Exception {
    // Chromium's helpers (renderer, network service) may outlive the browser process and go on
    // writing to the profile: stop them too, ours only, before the profile goes.
    List<ProcessHandle> helpers = process.descendants().toList();
    process.destroy();
    helpers.forEach(ProcessHandle::destroy);
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    helpers.forEach(ProcessHandle::destroyForcibly);
    delete(profile);
  }

  private static void delete(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // a temp dir left behind (or a file that vanished while it was walked) is not worth failing a test for
    }
  }
}
