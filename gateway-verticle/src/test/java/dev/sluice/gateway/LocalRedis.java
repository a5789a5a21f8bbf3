package dev.sluice.gateway;

import dev.sluice.localredis.RedisServerProcess;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real redis-server for one test class: {@code @RegisterExtension static final LocalRedis redis = new LocalRedis();}.
 * Every test starts with it up, even when the test before it stopped it.
 */
public final class LocalRedis implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback {
  private RedisServerProcess server;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = RedisServerProcess.start();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (!server.isRunning()) {
      server.restart();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
    }
  }

  public String url() {
    return server.url();
  }

  /** Stops Redis under the code a test looks at; the next test finds it up again. */
  public void stop() {
    server.stop();
  }

  /** Freezes Redis (SIGSTOP to this fixture's own redis-server): connections stay open, nothing is answered. */
  public void pause() {
    server.pause();
  }

  /** Thaws a {@link #pause()}d Redis; it answers what was sent meanwhile. */
  public void resume() {
    server.resume();
  }

  /** Starts Redis again on the same port, empty. */
  public void restart() {
    server.restart();
  }
}
