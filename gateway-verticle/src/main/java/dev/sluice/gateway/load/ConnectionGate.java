package dev.sluice.gateway.load;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * {@code http.maxConnections} on one gateway instance, against the node's count
 * ({@link NodeLoad}): every client connection is counted in when it opens and out when it closes;
 * one that finds the node full is accepted all the same but marked, so that its requests are
 * answered 503 OVERLOADED (and the connection closed) rather than left to a refused or silent TCP
 * connect, which a client cannot tell from a dead gateway. {@code GET /__health} is answered on any
 * connection: a load balancer must see a full node as alive. A marked connection is not counted,
 * so it must not linger: it is closed after its first answer ({@link ShedStage}), or after
 * {@link #OVER_LIMIT_GRACE_MS} if no request comes.
 *
 * <p>One per verticle instance, used on its event loop only.
 */
public final class ConnectionGate {
  /** A client that connects sends its request at once; an over-limit connection gets this long to. */
  static final long OVER_LIMIT_GRACE_MS = 5_000;

  private final Vertx vertx;
  private final NodeLoad load;
  private final int maxConnections;
  private final Set<HttpConnection> overLimit = Collections.newSetFromMap(new IdentityHashMap<>());

  /** @param maxConnections {@code http.maxConnections}; 0 = no limit (connections are still counted) */
  public ConnectionGate(Vertx vertx, NodeLoad load, int maxConnections) {
    this.vertx = vertx;
    this.load = load;
    this.maxConnections = maxConnections;
  }

  /** For the server's connection handler: counts {@code connection} in, or marks it over the limit. */
  public void opened(HttpConnection connection) {
    if (load.connectionOpened(maxConnections)) {
      connection.closeHandler(v -> load.connectionClosed());
    } else {
      overLimit.add(connection);
      long grace = vertx.setTimer(OVER_LIMIT_GRACE_MS, id -> connection.close());
      connection.closeHandler(v -> {
        vertx.cancelTimer(grace);
        overLimit.remove(connection);
      });
    }
  }

  /** Whether requests on {@code connection} are to be shed: it came when the node was full. */
  public boolean refuses(HttpConnection connection) {
    return !overLimit.isEmpty() && overLimit.contains(connection);
  }
}
