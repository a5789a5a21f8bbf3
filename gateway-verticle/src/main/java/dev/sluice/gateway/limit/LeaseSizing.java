package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import java.util.concurrent.TimeUnit;

/**
 * How big and how long a lease a route's policy allows, and how many spare slots a client's rate
 * earns.
 *
 * <p>A lease lasts {@code window / 40}, at most {@link #MAX_LEASE_MS}: a client is under-served
 * by at most one lease period (slots a node reserved and did not use come back when the lease
 * ends, and each slot stays in the window until its lease's end plus a window), so the period must
 * stay small against the window (2.5 %); and long enough that a client calling more than
 * {@link #HOT_PER_LEASE} times in it saves calls, and holds one member per lease in Redis. A grant holds at most a tenth of the
 * limit, so one node cannot take a whole window's budget on a guess; near the limit the script
 * grants fewer, and the lease is as much shorter ({@link #leaseNanos}). Windows too short for a
 * lease of {@link #MIN_LEASE_MS}, and limits under 20, get no spare slots: every request asks Redis.
 *
 * @param leaseMs  lease period; 0 when leases are off for this policy
 * @param maxGrant most slots one grant may hold
 */
record LeaseSizing(long leaseMs, int maxGrant) {
  /** Also in {@code sliding-window.lua} (keys outlive a lease by a window): keep it at most that. */
  static final long MAX_LEASE_MS = 100;
  static final long MIN_LEASE_MS = 5;
  /** "More than a handful of calls per lease period": below this a client asks Redis each time. */
  static final int HOT_PER_LEASE = 4;
  /** Bet on 50 % more than the rate seen, so a client speeding up does not ask twice per period. */
  static final double HEADROOM = 1.5;

  static LeaseSizing of(RateLimitPolicy policy) {
    long leaseMs = Math.min(MAX_LEASE_MS, policy.windowMs() / 40);
    int maxGrant = policy.limit() / 10;
    return leaseMs < MIN_LEASE_MS || maxGrant < 2 ? new LeaseSizing(0, 1) : new LeaseSizing(leaseMs, maxGrant);
  }

  /**
   * How long a lease runs for the {@code spareGranted} of {@code spare} slots asked for a lease of
   * {@code leaseMs}: the spare was sized to last the whole period at the client's rate, so a grant
   * that Redis cut short (a window near its limit) gets a lease as much shorter, and its slots,
   * scored at the lease's end, are blocked for others as much less. No spare granted: no lease (the
   * grant is scored now and used at once by the requests that waited). The script computes the
   * same ({@code lease_us} in {@code sliding-window.lua}), in whole microseconds.
   */
  static long leaseNanos(long leaseMs, int spare, int spareGranted) {
    if (spareGranted <= 0 || spare <= 0) {
      return 0;
    }
    return TimeUnit.MICROSECONDS.toNanos(leaseMs * 1_000 * Math.min(spareGranted, spare) / spare);
  }

  boolean leases() {
    return leaseMs > 0;
  }

  /**
   * Slots to ask for beyond {@code need} (the requests waiting now): none for a client seen less
   * than {@link #HOT_PER_LEASE} times per lease period, so such a client costs one call per
   * request, exactly as without leases.
   */
  int spare(double perLease, int need) {
    if (!leases() || perLease < HOT_PER_LEASE) {
      return 0;
    }
    int wanted = (int) Math.min(maxGrant, Math.ceil(perLease * HEADROOM));
    return Math.max(0, wanted - need);
  }
}
