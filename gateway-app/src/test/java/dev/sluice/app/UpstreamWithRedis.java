package dev.sluice.app;

import dev.sluice.localredis.RedisServerProcess;
import dev.sluice.mock.UpstreamMockOptions;
import dev.sluice.mock.UpstreamMockVerticle;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.TimeUnit;

/**
 * What a gateway jar under test talks to: a real Redis and an upstream-mock on an ephemeral
 * port, on a Vert.x of their own in this JVM, for one test class:
 * {@code @RegisterExtension static final UpstreamWithRedis parts = new UpstreamWithRedis();}.
 * Started before the class's {@code @BeforeAll} methods and stopped after its {@code @AfterAll}
 * ones, so a class stops the gateway JVMs it launched before their Redis and upstream go.
 */
final class UpstreamWithRedis implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
  private static final long CLOSE_S = 30;

  RedisServerProcess redis;
  /** Also for the test's own clients and servers; closed with the rest. */
  Vertx vertx;
  int mockPort;

  @Override
  public void beforeAll(ExtensionContext context) {
    startParts();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  private void startParts() {
    redis = RedisServerProcess.start();
    vertx = Vertx.vertx();
    UpstreamMockVerticle mock = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1").setPort(0));
    vertx.deployVerticle(mock).await();
    mockPort = mock.actualPort();
  }

  /** Vert.x (so the mock), then Redis; Redis is stopped even when Vert.x does not close in time. */
  @Override
  public void close() throws Exception {
    try {
      if (vertx != null) {
        vertx.close().await(CLOSE_S, TimeUnit.SECONDS);
      }
    } finally {
      if (redis != null) {
        redis.close();
      }
    }
  }
}
