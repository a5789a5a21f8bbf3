package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import java.util.concurrent.TimeUnit;

/**
 * How big and how long a lease a route's policy allows a client, by the rate it was seen at.
 *
 * <p>Two kinds of lease, one rule for both: slots reserved in Redis by one script call, scored at
 * the lease's end, used here only before that end, and what was not used handed back.
 * <ul>
 *   <li><b>Short leases, for hot clients.</b> A client seen at least {@link #HOT_PER_LEASE} times
 *       per period of {@code window / 40} (at most {@link #SHORT_LEASE_MS}) leases for one such
 *       period, at most a tenth of the limit per grant.</li>
 *   <li><b>Long leases, for steady clients far below their limit.</b> A client at {@code r}
 *       requests per second (the faster of its rate here and its window's in Redis, which counts
 *       every node: {@link ClientLease#windowPerSecond}) leases {@code r x T x HEADROOM} slots for {@code T} up to one window
 *       ({@link #longLeaseMs}), at most a quarter of the limit per grant. {@code T} shrinks as
 *       {@code r x window} nears the limit, to a short lease or none at it, so a lease never makes
 *       a client that stays under its limit find the window full: at worst the window counts what
 *       the client sent in the last window ({@code r x window}), the used slots of the lease that
 *       spans the window's start, still scored at their last use ({@code r x T}), and the current
 *       lease ({@code r x T x HEADROOM}); {@code T} keeps that sum at the limit.</li>
 * </ul>
 * Either way a client is under-served by at most one lease's slots, which come back when it
 * ends (docs/architecture.md, "Never over"). In Redis, near the limit the script grants at most a
 * quarter of what is left, and the lease is as much shorter ({@link #leaseNanos}). Windows too
 * short for a lease of {@link #MIN_LEASE_MS}, and limits under 20, get no spare slots: every
 * request asks Redis.
 *
 * @param leaseMs  short lease period; 0 when leases are off for this policy
 * @param maxGrant most slots one short lease may hold
 * @param windowMs the policy's window
 * @param limit    the policy's limit
 */
record LeaseSizing(long leaseMs, int maxGrant, long windowMs, int limit) {
  /** Longest short lease; long leases last up to a window, and the script's key TTL follows the latest score. */
  static final long SHORT_LEASE_MS = 100;
  static final long MIN_LEASE_MS = 5;
  /** "More than a handful of calls per lease period": below this a client needs a long lease or asks Redis each time. */
  static final int HOT_PER_LEASE = 4;
  /** Bet on 50 % more than the rate seen, so a client speeding up does not ask twice per period. */
  static final double HEADROOM = 1.5;
  /** A long lease of fewer slots saves no call. */
  static final int MIN_LONG_SLOTS = 2;
  /** Most of the limit one long lease may hold (the script also grants at most a quarter of what is left). */
  static final int LONG_GRANT_DIVISOR = 4;
  /**
   * A long lease is used here until this fraction of it before its end: the node's clock and
   * Redis's may drift apart over seconds (500 ppm: more than a clock slewed by NTP drifts), and a
   * slot must never be used after its score.
   */
  static final long DRIFT_DIVISOR = 2_000;

  /** No lease: one slot scored now. */
  static final Plan NONE = new Plan(0, 0);

  /** Slots to ask for beyond the requests waiting, and the lease they are for (0: scored now). */
  record Plan(int spare, long leaseMs) {
  }

  static LeaseSizing of(RateLimitPolicy policy) {
    long leaseMs = Math.min(SHORT_LEASE_MS, policy.windowMs() / 40);
    int maxGrant = policy.limit() / 10;
    return leaseMs < MIN_LEASE_MS || maxGrant < 2
        ? new LeaseSizing(0, 1, policy.windowMs(), policy.limit())
        : new LeaseSizing(leaseMs, maxGrant, policy.windowMs(), policy.limit());
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

  /** A lease longer than a short one: the client was steady and far below its limit. */
  boolean isLong(long leaseMs) {
    return leaseMs > this.leaseMs;
  }

  /**
   * The lease to ask for, {@code need} slots being for requests waiting now: a long lease when the
   * client's rate ({@code perSecond}) leaves room for one longer than a short lease and worth
   * {@link #MIN_LONG_SLOTS}; else a short one for a hot client ({@code perLease} arrivals per
   * short period); else none.
   */
  Plan plan(double perLease, double perSecond, int need) {
    if (!leases()) {
      return NONE;
    }
    long longMs = longLeaseMs(perSecond);
    if (isLong(longMs)) {
      double slots = perSecond * longMs / 1_000 * HEADROOM;
      int cap = Math.max(maxGrant, limit / LONG_GRANT_DIVISOR);
      if (slots > cap) {
        longMs = (long) (longMs * cap / slots); // as many slots as allowed, for as much less time
        slots = cap;
      }
      int spare = (int) Math.ceil(slots) - need;
      if (isLong(longMs) && spare > 0 && need + spare >= MIN_LONG_SLOTS) {
        return new Plan(spare, longMs);
      }
    }
    int spare = spare(perLease, need);
    return spare > 0 ? new Plan(spare, leaseMs) : NONE;
  }

  /**
   * The longest lease that cannot make a client steady at {@code perSecond} find its window full
   * while under its limit (see the class comment): {@code perSecond x (window + T + HEADROOM x T)
   * <= limit}, at most one window; 0 for a rate unknown or too high.
   */
  long longLeaseMs(double perSecond) {
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      return 0;
    }
    double ms = (limit * 1_000 / perSecond - windowMs) / (1 + HEADROOM);
    return ms <= 0 ? 0 : (long) Math.min(windowMs, ms);
  }

  /**
   * Slots to ask for beyond {@code need} (the requests waiting now) for a short lease: none for a
   * client seen less than {@link #HOT_PER_LEASE} times per lease period.
   */
  int spare(double perLease, int need) {
    if (!leases() || perLease < HOT_PER_LEASE) {
      return 0;
    }
    int wanted = (int) Math.min(maxGrant, Math.ceil(perLease * HEADROOM));
    return Math.max(0, wanted - need);
  }
}
