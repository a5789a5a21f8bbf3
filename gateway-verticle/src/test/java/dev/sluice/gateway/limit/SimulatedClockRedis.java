package dev.sluice.gateway.limit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.localredis.RedisServerProcess;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Redis running the limiter's own {@code sliding-window.lua}, with {@code TIME} replaced
 * by a time the simulation passes in and no TTL (a simulated minute must not expire in a real
 * second), for the simulations that drive several lease books against it. Started before the
 * class's tests, stopped after them.
 */
final class SimulatedClockRedis implements BeforeAllCallback, AfterAllCallback {
  /** Redis TIME at the simulation's zero, in microseconds: any date will do, the script only subtracts. */
  private static final long EPOCH_US = 1_800_000_000_000_000L;
  private static final long NANOS_PER_US = TimeUnit.MICROSECONDS.toNanos(1);

  private RedisServerProcess server;
  private Vertx vertx;
  private Redis redis;
  private String sha;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    server = RedisServerProcess.start();
    vertx = Vertx.vertx();
    redis = Redis.createClient(vertx, server.url());
    sha = redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(scriptOnSimulatedClock()))
        .await(10, TimeUnit.SECONDS).toString();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      if (redis != null) {
        redis.close();
      }
      if (vertx != null) {
        vertx.close().await(10, TimeUnit.SECONDS);
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  /** What the script grants {@code ask} when Redis's clock reads {@code nowNanos} of simulated time. */
  Grant execute(LeaseBook.Ask ask, long nowNanos) {
    long us = EPOCH_US + nowNanos / NANOS_PER_US;
    Request request = Request.cmd(Command.EVALSHA).arg(sha).arg(1).arg(ask.key())
        .arg(ask.policy().limit()).arg(ask.policy().windowMs()).arg(ask.grantId())
        .arg(ask.need()).arg(ask.spare()).arg(ask.leaseMs()).arg(ask.handBack()).arg(ask.handBackAs())
        .arg(ask.earlierByUs())
        .arg(us / 1_000_000).arg(us % 1_000_000);
    try {
      return Grant.of(redis.send(request).await(10, TimeUnit.SECONDS), 0);
    } catch (TimeoutException e) {
      throw new AssertionError("Redis did not answer in 10 s", e);
    }
  }

  private static String scriptOnSimulatedClock() throws IOException {
    String text;
    try (InputStream in = SlidingWindowScript.class.getResourceAsStream(SlidingWindowScript.RESOURCE)) {
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    String time = "local time = redis.call('TIME')";
    String expire = "redis.call('PEXPIRE', key, ttl_ms)";
    assertTrue(text.contains(time), "the script reads TIME as the simulation expects");
    assertTrue(text.contains(expire), "the script sets a TTL as the simulation expects");
    return text.replace(time, "local time = { ARGV[#ARGV - 1], ARGV[#ARGV] }").replace(expire, "redis.call('PERSIST', key)");
  }
}
