package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Reads windows as the limiter counts them (Redis's clock, weighted members, entries past the
 * window left out), for the admin's {@code /__limits} and for tests: the one place outside the
 * scripts that knows how a window is stored. One {@code EVAL} of {@code window-view.lua} per
 * window, read-only; it carries the key, so a Redis Cluster client sends it to the slot's owner.
 */
public final class WindowReader {
  static final String RESOURCE = "window-view.lua";

  private final Function<Request, Future<Response>> redis;
  private final String script;

  /** @param redis sends one command (e.g. {@code Redis::send} of a vertx-redis-client) */
  public WindowReader(Function<Request, Future<Response>> redis) {
    this.redis = redis;
    this.script = read();
  }

  public Future<LimitWindow> read(String route, String client, RateLimitPolicy policy) {
    return read(RateLimitKeys.key(route, client), route, client, policy);
  }

  /** A window found by its key (e.g. by SCAN); empty when the key names no limiter window. */
  public Future<LimitWindow> read(String key, RateLimitPolicy policy) {
    RateLimitKeys.Parsed parsed = RateLimitKeys.parse(key);
    if (parsed == null) {
      return Future.failedFuture(new IllegalArgumentException("not a limiter key: " + key));
    }
    return read(key, parsed.route(), parsed.client(), policy);
  }

  private Future<LimitWindow> read(String key, String route, String client, RateLimitPolicy policy) {
    return redis.apply(Request.cmd(Command.EVAL).arg(script).arg(1).arg(key).arg(policy.windowMs()))
        .map(reply -> new LimitWindow(route, client, key, policy,
            reply.get(0).toLong(), reply.get(1).toLong(), reply.get(2).toLong()));
  }

  private static String read() {
    try (InputStream in = WindowReader.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE + " next to " + WindowReader.class.getName());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
