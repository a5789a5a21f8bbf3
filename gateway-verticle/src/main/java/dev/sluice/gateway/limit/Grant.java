package dev.sluice.gateway.limit;

import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;

/**
 * What {@code sliding-window.lua} answered.
 *
 * @param granted   slots reserved by this call (0: full)
 * @param remaining slots left in the window after this grant
 * @param resetMs   ms until the oldest entry leaves the window (0: empty)
 * @param retryMs   ms until asking again can succeed: the oldest entry's expiry, or sooner when a
 *                  running lease may hand slots back
 */
record Grant(int granted, int remaining, long resetMs, long retryMs) {

  /**
   * The answer for the {@code window}-th key of a call: the script answers four numbers per window,
   * in the order of the call's keys, or for a window it could not run an error in the first place.
   *
   * @throws IllegalStateException for such a window (that request alone goes to the fallback)
   */
  static Grant of(Response reply, int window) {
    int at = 4 * window;
    Response granted = reply.get(at);
    if (granted.type() != ResponseType.NUMBER) {
      throw new IllegalStateException("Redis could not run the limiter's window: " + granted);
    }
    return new Grant(granted.toInteger(), reply.get(at + 1).toInteger(), reply.get(at + 2).toLong(), reply.get(at + 3).toLong());
  }
}
