package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.Objects;

/**
 * A controllable upstream for tests, demos and benchmarks: {@code /anything/**} echo,
 * {@code /status/<code>}, {@code /bytes/<n>}, {@code /delay/<ms>}, {@code /cacheable?h=Name:Value}, {@code /flaky/<key>?fail=N}, a static
 * {@code {"ok":true}} for everything else, and the {@code /__mock/} control API (config, stats,
 * reset). upstream-mock/README.md lists every endpoint with the JSON it answers.
 *
 * <p>Every instance owns its stats, flaky counters and fault settings. Deployed with several
 * instances, Vert.x spreads connections over them, so {@code /__mock/stats} and
 * {@code /__mock/config} only see and steer the instance that took that connection. Tests that
 * read stats or set faults should deploy one instance.
 */
public final class UpstreamMockVerticle extends VerticleBase {
  private final UpstreamMockOptions options;
  private volatile HttpServer server;

  public UpstreamMockVerticle(UpstreamMockOptions options) {
    // Copied: options are mutable and the caller may keep changing theirs.
    this.options = new UpstreamMockOptions(Objects.requireNonNull(options, "options"));
  }

  @Override
  public Future<?> start() {
    HttpServerOptions serverOptions = new HttpServerOptions()
        .setHost(options.getHost())
        .setPort(options.getPort())
        // curl and others send "Expect: 100-continue" before large bodies and stall ~1 s
        // waiting for it unless the server answers.
        .setHandle100ContinueAutomatically(true);
    return vertx.createHttpServer(serverOptions)
        .requestHandler(new MockHandler(vertx, options))
        .listen()
        .onSuccess(listening -> server = listening);
  }

  /**
   * The port actually bound (the ephemeral one when the options say 0).
   *
   * @throws IllegalStateException before {@code start()} has succeeded
   */
  public int actualPort() {
    HttpServer listening = server;
    if (listening == null) {
      throw new IllegalStateException("upstream-mock is not listening yet");
    }
    return listening.actualPort();
  }

  /** A copy of the options this instance was created with. */
  public UpstreamMockOptions options() {
    return new UpstreamMockOptions(options);
  }
}
