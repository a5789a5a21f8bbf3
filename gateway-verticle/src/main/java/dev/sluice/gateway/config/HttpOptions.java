package dev.sluice.gateway.config;

/**
 * The client-facing HTTP listener.
 *
 * @param maxBodyBytes the largest request body accepted (413 above it); 0 = no limit
 * @param idleTimeoutSeconds how long a connection, or a body being streamed, may stay silent
 * @param tls the listener's certificates; null = cleartext HTTP/1.1
 * @param http2 HTTP/2 by ALPN, with TLS only
 * @param redirectPort a cleartext listener answering 308 to the https:// URL; 0 = none
 * @param poolWaitMs how long a request may wait inside the gateway for a pooled connection to its
 *   target when every connection is busy, counted after the time a new connection is given to
 *   open; past it the answer is 503 UPSTREAM_BUSY, which is not the upstream's failure
 * @param maxConnections client connections this node holds open at most (all its instances
 *   together); a connection beyond it is answered 503 OVERLOADED and closed; 0 = no limit
 */
public record HttpOptions(String host, int port, long maxBodyBytes, int idleTimeoutSeconds, TlsOptions tls,
                          Http2Options http2, int redirectPort, long poolWaitMs, int maxConnections) {
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_MAX_BODY_BYTES = 1_048_576;
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
  /** Long enough for a healthy upstream to work through a burst of new connections; short enough to say "busy" soon. */
  public static final long DEFAULT_POOL_WAIT_MS = 1000;
  public static final int NO_CONNECTION_LIMIT = 0;
  public static final int NO_REDIRECT = 0;

  /** A cleartext listener with the default pool wait and no connection limit. */
  public HttpOptions(String host, int port, long maxBodyBytes, int idleTimeoutSeconds) {
    this(host, port, maxBodyBytes, idleTimeoutSeconds, null, Http2Options.DEFAULT, NO_REDIRECT, DEFAULT_POOL_WAIT_MS,
      NO_CONNECTION_LIMIT);
  }

  public boolean tlsOn() {
    return tls != null;
  }

  /** h2 is offered only where ALPN can offer it. */
  public boolean http2On() {
    return tls != null && http2.enabled();
  }
}
