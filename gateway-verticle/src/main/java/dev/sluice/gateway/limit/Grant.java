package dev.sluice.gateway.limit;

import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;

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

  /** The script answers four numbers per window, in the order of the call's keys. */
  static List<Grant> all(Response reply, int windows) {
    List<Grant> grants = new ArrayList<>(windows);
    for (int i = 0; i < windows; i++) {
      int at = 4 * i;
      grants.add(new Grant(reply.get(at).toInteger(), reply.get(at + 1).toInteger(), reply.get(at + 2).toLong(), reply.get(at + 3).toLong()));
    }
    return grants;
  }
}
