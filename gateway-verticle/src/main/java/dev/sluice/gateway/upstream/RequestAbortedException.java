package dev.sluice.gateway.upstream;

import io.vertx.core.VertxException;

/**
 * The client's side of an upload ended it: the client went away mid-body, or its body grew past
 * {@code http.maxBodyBytes}. Not the upstream's fault, so not a failure for its circuit.
 */
public final class RequestAbortedException extends VertxException {
  private final boolean tooLarge;

  RequestAbortedException(Throwable cause) {
    super(cause instanceof RequestAbortedException a ? a.getMessage() : "client aborted the request body",
        cause instanceof RequestAbortedException a ? a : cause, true);
    this.tooLarge = cause instanceof RequestAbortedException a && a.tooLarge;
  }

  private RequestAbortedException(long maxBytes) {
    super("request body exceeds " + maxBytes + " bytes", true);
    this.tooLarge = true;
  }

  static RequestAbortedException tooLarge(long maxBytes) {
    return new RequestAbortedException(maxBytes);
  }

  /** True when the body passed the limit; false when the client went away. */
  public boolean tooLarge() {
    return tooLarge;
  }
}
