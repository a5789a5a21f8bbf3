package dev.sluice.gateway.redis;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

/**
 * One Redis connection that every command of its owner is pipelined on, connected on first use
 * and again after it closes. Meant for one verticle instance's hot path: taking a pooled
 * connection per command costs more client CPU than the command, and one connection lets Redis
 * read and answer many commands per system call. (For Redis Cluster the "connection" is the
 * client's cluster connection, one socket per master.)
 *
 * <p>Commands beyond the connection's waiting queue ({@code maxWaitingHandlers}) fail at once
 * rather than wait; callers have a fallback for that.
 */
public final class PipelinedRedis {
  private final Redis client;
  private Future<RedisConnection> connection;

  public PipelinedRedis(Vertx vertx, RedisOptions options) {
    this.client = Redis.createClient(vertx, options);
  }

  public Future<Response> send(Request request) {
    return connection().compose(c -> c.pendingQueueFull()
      ? Future.failedFuture(new IllegalStateException("Redis pipeline full: too many commands waiting for answers"))
      : c.send(request));
  }

  private synchronized Future<RedisConnection> connection() {
    if (connection == null) {
      Future<RedisConnection> connecting = client.connect();
      connection = connecting;
      connecting.onComplete(ar -> {
        if (ar.failed()) {
          forget(connecting);
        } else {
          RedisConnection opened = ar.result();
          opened.endHandler(v -> forget(connecting)).exceptionHandler(e -> {
            forget(connecting);
            opened.close();
          });
        }
      });
    }
    return connection;
  }

  private synchronized void forget(Future<RedisConnection> which) {
    if (connection == which) {
      connection = null;
    }
  }

  public Future<Void> close() {
    Future<RedisConnection> last;
    synchronized (this) {
      last = connection;
      connection = null;
    }
    Future<Void> closed = last == null ? Future.succeededFuture()
      : last.compose(RedisConnection::close).otherwiseEmpty();
    return closed.eventually(client::close);
  }
}
