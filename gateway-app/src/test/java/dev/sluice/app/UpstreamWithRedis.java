package dev.sluice.app;

import dev.sluice.localredis.RedisServerProcess;
import dev.sluice.mock.UpstreamMockOptions;
import dev.sluice.mock.UpstreamMockVerticle;
import io.vertx.core.Vertx;

/**
 * What a gateway jar under test talks to: a real Redis and an upstream-mock on an ephemeral
 * port, in this JVM. One per test class ({@code @BeforeAll} / {@code @AfterAll}).
 */
final class UpstreamWithRedis implements AutoCloseable {
  final RedisServerProcess redis;
  final Vertx vertx;
  final int mockPort;

  private UpstreamWithRedis(RedisServerProcess redis, Vertx vertx, int mockPort) {
    this.redis = redis;
    this.vertx = vertx;
    this.mockPort = mockPort;
  }

  static UpstreamWithRedis start() {
    RedisServerProcess redis = RedisServerProcess.start();
    Vertx vertx = Vertx.vertx();
    UpstreamMockVerticle mock = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1").setPort(0));
    vertx.deployVerticle(mock).await();
    return new UpstreamWithRedis(redis, vertx, mock.actualPort());
  }

  @Override
  public void close() {
    vertx.close().await();
    redis.stop();
  }
}
