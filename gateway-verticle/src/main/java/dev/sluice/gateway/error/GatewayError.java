package dev.sluice.gateway.error;

/** Every error Sluice answers itself, with the HTTP status that goes with it. */
public enum GatewayError {
  BAD_REQUEST(400),
  NO_ROUTE(404),
  PAYLOAD_TOO_LARGE(413),
  URI_TOO_LONG(414),
  HEADERS_TOO_LARGE(431),
  RATE_LIMITED(429),
  CIRCUIT_OPEN(503),
  NO_HEALTHY_UPSTREAM(503),
  LIMITER_UNAVAILABLE(503),
  UNAUTHENTICATED(401),
  FORBIDDEN(403),
  AUTH_UNAVAILABLE(503),
  UPSTREAM_UNAVAILABLE(502),
  UPSTREAM_TIMEOUT(504),
  /** No pooled connection to the upstream came free within {@code http.poolWaitMs}: this gateway's queue, not the upstream. */
  UPSTREAM_BUSY(503),
  /** Over {@code http.maxConnections} or a route's {@code maxInFlight}: this node sheds load. */
  OVERLOADED(503),
  INTERNAL_ERROR(500);

  private final int status;

  GatewayError(int status) {
    this.status = status;
  }

  public int status() {
    return status;
  }
}
