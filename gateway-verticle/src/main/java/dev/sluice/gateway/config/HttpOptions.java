package dev.sluice.gateway.config;

/**
 * The client-facing HTTP listener.
 *
 * @param maxBodyBytes the largest request body accepted (413 above it); 0 = no limit
 * @param idleTimeoutSeconds how long a connection, or a body being streamed, may stay silent
 */
public record HttpOptions(String host, int port, long maxBodyBytes, int idleTimeoutSeconds) {
  public static final String DEFAULT_HOST = "0.0.0.0";
  public static final int DEFAULT_PORT = 8080;
  public static final long DEFAULT_MAX_BODY_BYTES = 1_048_576;
  public static final int DEFAULT_IDLE_TIMEOUT_SECONDS = 60;
}
