package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/** A plain client that looks at what the limiter left in Redis, as an operator would. */
final class RedisInspector {
  /** Keeps Redis busy (one thread: every other client waits) for ARGV[1] ms. */
  private static final String BUSY = String.join("\n",
      "local start = redis.call('TIME')",
      "local elapsed = 0",
      "repeat",
      "  local now = redis.call('TIME')",
      "  elapsed = (now[1] - start[1]) * 1000 + (now[2] - start[2]) / 1000",
      "until elapsed >= tonumber(ARGV[1])",
      "return 1");

  private final Redis redis;
  private final WindowReader windows;

  RedisInspector(Vertx vertx, String url) {
    this.redis = Redis.createClient(vertx, url);
    this.windows = new WindowReader(redis::send);
  }

  /** Slots the window counts now (a member may stand for several). */
  Future<Long> counted(String key, RateLimitPolicy policy) {
    return windows.read(key, policy).map(LimitWindow::count);
  }

  /** Script calls Redis has run since start (EVALSHA and EVAL), from INFO commandstats. */
  Future<Long> scriptCalls() {
    return redis.send(Request.cmd(Command.INFO).arg("commandstats")).map(reply -> {
      long calls = 0;
      for (String line : reply.toString().split("\r?\n")) {
        if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_eval:")) {
          int at = line.indexOf("calls=") + "calls=".length();
          calls += Long.parseLong(line.substring(at, line.indexOf(',', at)));
        }
      }
      return calls;
    });
  }

  Future<Boolean> exists(String key) {
    return redis.send(Request.cmd(Command.EXISTS).arg(key)).map(reply -> reply.toLong() == 1);
  }

  /** Puts a plain string where a window belongs: a key the limiter's script cannot run on. */
  Future<Void> poison(String key) {
    return redis.send(Request.cmd(Command.SET).arg(key).arg("not a window")).mapEmpty();
  }

  Future<Long> members(String key) {
    return redis.send(Request.cmd(Command.ZCARD).arg(key)).map(reply -> reply.toLong());
  }

  Future<Long> pttl(String key) {
    return redis.send(Request.cmd(Command.PTTL).arg(key)).map(reply -> reply.toLong());
  }

  Future<Boolean> scriptCached(String sha) {
    return redis.send(Request.cmd(Command.SCRIPT).arg("EXISTS").arg(sha)).map(reply -> reply.get(0).toLong() == 1);
  }

  Future<Void> flushScripts() {
    return redis.send(Request.cmd(Command.SCRIPT).arg("FLUSH")).mapEmpty();
  }

  /** {@code WAIT}: how many replicas acknowledged every write made so far, waiting up to {@code timeoutMs}. */
  Future<Long> replicasInSync(int replicas, long timeoutMs) {
    return redis.send(Request.cmd(Command.WAIT).arg(replicas).arg(timeoutMs)).map(reply -> reply.toLong());
  }

  /** Completes when Redis is free again. */
  Future<Void> busyFor(long ms) {
    return redis.send(Request.cmd(Command.EVAL).arg(BUSY).arg(0).arg(ms)).mapEmpty();
  }

  Future<Void> close() {
    return redis.close();
  }
}
