package dev.sluice.gateway.config;

/**
 * The client-facing HTTP listener.
 *
 * @param maxBodyBytes the largest request body accepted (413 above it); 0 = no limit
 * @param idleTimeoutSeconds how long a connection, or a body being streamed, may stay silent
 * @param tls the listener's certificates; null = cleartext HTTP/1.1
 * @param http2 HTTP/2 by ALPN, with TLS only
 * @param redirectPort a cleartext listener answering 308 to the https:// URL; 0 = none
 */
public record HttpOptions(String host, int port, long maxBodyBytes, int idleTimeoutSeconds, TlsOptions tls,
                          Http2Options http2, int redirectPort) {
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_MAX_BODY_BYTES = 1_048_576;
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
  public static final int NO_REDIRECT = 0;

  /** A cleartext listener. */
  public HttpOptions(String host, int port, long maxBodyBytes, int idleTimeoutSeconds) {
    this(host, port, maxBodyBytes, idleTimeoutSeconds, null, Http2Options.DEFAULT, NO_REDIRECT);
  }

  public boolean tlsOn() {
    return tls != null;
  }

  /** h2 is offered only where ALPN can offer it. */
  public boolean http2On() {
    return tls != null && http2.enabled();
  }
}
