package dev.sluice.gateway.limit;

import io.vertx.redis.client.Response;

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

  static Grant of(Response reply) {
    return new Grant(reply.get(0).toInteger(), reply.get(1).toInteger(), reply.get(2).toLong(), reply.get(3).toLong());
  }
}
