package dev.sluice.gateway.redis;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Redis connection that every command of its owner is pipelined on, connected on first use
 * and again after it closes. Meant for one verticle instance's hot path: taking a pooled
 * connection per command costs more client CPU than the command, and one connection lets Redis
 * read and answer many commands per system call. (For Redis Cluster the "connection" is the
 * client's cluster connection, one socket per master.)
 *
 * <p>Commands sent while the owner's event loop handles one batch of I/O (many client requests
 * arrive together under load) go out as one write, after that batch: one system call for the
 * gateway and one read for Redis instead of one each per command. Not with Redis Cluster, whose
 * batches must stay within one slot; there every command is written on its own.
 *
 * <p>A batch fails as a whole if any command in it fails (vertx-redis-client's rule), with every
 * error in the message. Commands beyond the connection's waiting queue ({@code maxWaitingHandlers})
 * fail at once rather than wait; callers have a fallback for either.
 *
 * <p>A connection whose replies stop coming is not trusted to come back: a Redis host that vanished
 * without a reset (power loss, a partition, a frozen VM) leaves the socket open until TCP gives up,
 * many minutes later, and a failed-over Redis behind the same address never answers on it. The
 * owner, which knows its deadline, calls {@link #reconnect()}: the connection is closed (its
 * waiting commands fail at once) and the next command connects afresh. A connect that hangs is
 * bounded too: by {@link #CONNECT_TIMEOUT_MS}, and a handshake that hangs on a connected socket is
 * given up by {@code reconnect()} after the same time.
 */
public final class PipelinedRedis {
  /**
   * Longest wait for a new connection (TCP connect, and its handshake when {@link #reconnect()}
   * is called after it): a probe every few hundred ms must not queue behind a minute-long connect.
   */
  public static final int CONNECT_TIMEOUT_MS = 1_000;

  private final Vertx vertx;
  private final RedisOptions options;
  private Redis client; // guarded by this; replaced by reconnect()
  private final Context context;
  private final boolean coalesce;
  private Future<RedisConnection> connection;
  private long connectStartedNanos;
  private List<Queued> queued = new ArrayList<>();

  /** Call on the owner's context: queued commands are written from it. */
  public PipelinedRedis(Vertx vertx, RedisOptions options) {
    if (options.getNetClientOptions().getConnectTimeout() > CONNECT_TIMEOUT_MS) {
      options.getNetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_MS);
    }
    this.vertx = vertx;
    this.options = options;
    this.client = Redis.createClient(vertx, options);
    this.context = vertx.getOrCreateContext();
    this.coalesce = options.getType() != RedisClientType.CLUSTER;
  }

  public Future<Response> send(Request request) {
    if (!coalesce) {
      return connection().compose(c -> sendOne(c, request));
    }
    Promise<Response> promise = Promise.promise();
    boolean first;
    synchronized (this) {
      queued.add(new Queued(request, promise));
      first = queued.size() == 1;
    }
    if (first) {
      context.runOnContext(v -> flush());
    }
    return promise.future();
  }

  /**
   * Writes {@code request} at once, not at the end of this turn: for a caller that gathered its
   * commands of the turn itself (one write either way), without a second trip through the event loop.
   */
  public Future<Response> sendNow(Request request) {
    return connection().compose(c -> sendOne(c, request));
  }

  private void flush() {
    List<Queued> batch;
    synchronized (this) {
      batch = queued;
      queued = new ArrayList<>();
    }
    connection().onComplete(ar -> {
      if (ar.failed()) {
        batch.forEach(q -> q.promise.fail(ar.cause()));
      } else if (batch.size() == 1) {
        sendOne(ar.result(), batch.get(0).request).onComplete(batch.get(0).promise);
      } else {
        sendBatch(ar.result(), batch);
      }
    });
  }

  private static Future<Response> sendOne(RedisConnection c, Request request) {
    return c.pendingQueueFull()
      ? Future.failedFuture(new IllegalStateException("Redis pipeline full: too many commands waiting for answers"))
      : c.send(request);
  }

  private static void sendBatch(RedisConnection c, List<Queued> batch) {
    List<Request> requests = new ArrayList<>(batch.size());
    batch.forEach(q -> requests.add(q.request));
    c.batch(requests).onComplete(ar -> {
      for (int i = 0; i < batch.size(); i++) {
        if (ar.succeeded()) {
          batch.get(i).promise.complete(ar.result().get(i));
        } else {
          batch.get(i).promise.fail(ar.cause());
        }
      }
    });
  }

  private record Queued(Request request, Promise<Response> promise) {
  }

  private synchronized Future<RedisConnection> connection() {
    if (connection == null) {
      Future<RedisConnection> connecting = client.connect();
      connection = connecting;
      connectStartedNanos = System.nanoTime();
      connecting.onComplete(ar -> {
        if (ar.failed()) {
          forget(connecting);
        } else if (!isCurrent(connecting)) {
          ar.result().close(); // given up by reconnect() while it was connecting
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

  /**
   * Drops the connection, because its replies are overdue: the next command connects afresh.
   * Commands waiting on it fail now. A connect still under way is left alone for up to
   * {@link #CONNECT_TIMEOUT_MS} (it has a timeout of its own); after that it is given up too.
   *
   * <p>The whole client is replaced, not just the connection: vertx-redis-client's
   * {@code RedisConnection.close()} hands a connection back to the client's pool, which would lend
   * the same silent socket out again. Closing the client closes its sockets.
   */
  public void reconnect() {
    Redis dropped;
    synchronized (this) {
      if (connection == null || !connection.isComplete()
          && System.nanoTime() - connectStartedNanos < TimeUnit.MILLISECONDS.toNanos(CONNECT_TIMEOUT_MS)) {
        return;
      }
      connection = null;
      dropped = client;
      client = Redis.createClient(vertx, options);
    }
    dropped.close();
  }

  private synchronized boolean isCurrent(Future<RedisConnection> which) {
    return connection == which;
  }

  private synchronized void forget(Future<RedisConnection> which) {
    if (connection == which) {
      connection = null;
    }
  }

  public Future<Void> close() {
    Future<RedisConnection> last;
    Redis current;
    synchronized (this) {
      last = connection;
      connection = null;
      current = client;
    }
    Future<Void> closed = last == null ? Future.succeededFuture()
      : last.compose(RedisConnection::close).otherwiseEmpty();
    return closed.eventually(current::close);
  }
}
