package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Promise;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What one node (one limiter) knows about one client's window: its rate, the slots it holds (the
 * current lease), until when Redis said the window is full, and the requests waiting for a grant.
 * Guarded by its {@link LeaseBook}; every time is {@link System#nanoTime()}-like nanoseconds.
 */
final class ClientLease {
  /** A re-score that gains less than this is not worth the arguments. */
  static final long RESCORE_MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
  /** Weight of a new gap in the smoothed gap: 1 / this. */
  static final double GAP_SMOOTHING = 4;
  /** Unseen for this many usual gaps: gone quiet. */
  static final double QUIET_GAPS = 4;
  /** Longest a client seen once is remembered, waiting for its second request. */
  static final long FIRST_GAP_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

  final String key;
  RateLimitPolicy policy;
  LeaseSizing sizing;
  long lastSeen;

  // Rate: arrivals per short lease period, smoothed over periods (hot clients), and the gap
  // between arrivals, smoothed (steady clients, whose periods mostly see none).
  private long periodStart;
  private int arrivals;
  private double perLease;
  /** Smoothed nanoseconds between arrivals; negative until a second arrival. */
  private double gapNanos = -1;
  /** An arrival was counted since the policy was set: the next one has a gap. */
  private boolean seen;

  // The current grant; its slots may be used here until endsAt (a lease) or only by the requests
  // that waited for it (a grant scored "now").
  String grantId;
  int granted;
  int used;
  long endsAt;
  /** When this node admitted a request with the grant's last slot used so far. */
  long lastUseAt;
  boolean leased;
  boolean handedBack = true;

  // The window as Redis last described it.
  int remainingAfterGrant;
  long resetAt;
  long retryAt;

  /** Requests waiting for the call in flight; null while none is. */
  List<Promise<RateLimitDecision>> waiting;

  ClientLease(String key, RateLimitPolicy policy, long now) {
    this.key = key;
    this.lastSeen = now;
    this.periodStart = now;
    use(policy, now);
  }

  /** A new policy (a route reload) starts from scratch: what was known was about another window. */
  void use(RateLimitPolicy policy, long now) {
    this.policy = policy;
    this.sizing = LeaseSizing.of(policy);
    this.retryAt = now;
    this.perLease = 0;
    this.arrivals = 0;
    this.gapNanos = -1;
    this.seen = false;
    this.remainingAfterGrant = policy.limit();
  }

  /** Counts an arrival; periods with none decay the rate by half each. */
  void observe(long now) {
    long gap = now - lastSeen;
    lastSeen = now;
    if (!sizing.leases()) {
      return;
    }
    if (seen) {
      gapNanos = gapNanos < 0 ? gap : gapNanos + (gap - gapNanos) / GAP_SMOOTHING;
    }
    long period = TimeUnit.MILLISECONDS.toNanos(sizing.leaseMs());
    long elapsed = (now - periodStart) / period;
    if (elapsed > 0) {
      perLease = (perLease + arrivals) / 2;
      perLease = elapsed > 1 ? perLease / Math.pow(2, Math.min(elapsed - 1, 30)) : perLease;
      arrivals = 0;
      periodStart += elapsed * period;
    }
    arrivals++;
    seen = true;
  }

  /** The rate to size a grant by: a burst in the current period counts at once. */
  double perLease() {
    return Math.max(perLease, arrivals);
  }

  /**
   * Requests per second, for a long lease: from the gaps between arrivals, or from the short
   * periods when those see a hot client (a burst shortens a long lease at once); 0 while unknown
   * (one arrival). A single arrival in a short period says nothing of the rate, so the periods
   * count only from {@link LeaseSizing#HOT_PER_LEASE} arrivals.
   */
  double perSecond() {
    double fromGaps = gapNanos < 0 ? 0 : gapNanos == 0 ? Double.POSITIVE_INFINITY : 1e9 / gapNanos;
    double perPeriod = perLease();
    return perPeriod >= LeaseSizing.HOT_PER_LEASE ? Math.max(fromGaps, perPeriod * 1_000 / sizing.leaseMs()) : fromGaps;
  }

  /**
   * The client's rate across every node, as its window in Redis last told it: what the window
   * held after this node's last grant, less this node's own slots not used yet (handed back with
   * the next call), per window. A client spread over several nodes may be slow on each and fast
   * in all: its long leases follow the faster of the two rates.
   */
  double windowPerSecond() {
    int held = policy.limit() - remainingAfterGrant - Math.max(0, granted - used);
    return held <= 0 ? 0 : held * 1_000.0 / policy.windowMs();
  }

  /**
   * How long this client may stay unseen before it is taken to have gone quiet (and forgotten,
   * handing back what its lease holds): {@code idle}, or {@link #QUIET_GAPS} of its usual gaps
   * when those are longer, so a steady client seen every few seconds keeps its rate and lease;
   * never more than a window. A client seen once waits up to half a window for its second request.
   */
  long quietNanos(long idle) {
    long window = TimeUnit.MILLISECONDS.toNanos(policy.windowMs());
    if (gapNanos < 0) {
      // Seen once: remembered long enough for a second request to tell its rate, if that rate can
      // earn a lease at all (two requests per window; at most FIRST_GAP_WAIT_MS: memory).
      return Math.max(idle, Math.min(window / 2, FIRST_GAP_WAIT_NANOS));
    }
    return Math.max(idle, (long) Math.min(window, QUIET_GAPS * gapNanos));
  }

  /**
   * How long after a long lease's end its unused slots wait for the client's next call to carry
   * them back (two usual gaps, at most a quarter of the lease): a steady client then costs one
   * call per lease, not two. Short leases hand back at their end, as a hot client calls again
   * within the timer's tick anyway.
   */
  long handBackGraceNanos(long leaseNanos, long leaseMs) {
    if (!sizing.isLong(leaseMs) || gapNanos < 0) {
      return 0;
    }
    return (long) Math.min(leaseNanos / 4.0, 2 * gapNanos);
  }

  /** One more slot of the current grant admits a request now. */
  void use(long now) {
    used++;
    lastUseAt = now;
  }

  /**
   * A lease used up well before its end: its member, scored at that end, may be re-scored at the
   * last use (with the next call), so its slots leave the window that much sooner for everyone.
   */
  boolean usedUpEarly() {
    return leased && !handedBack && used > 0 && used == granted && endsAt - lastUseAt >= RESCORE_MIN_NANOS;
  }

  /** How long before the lease's end its last used slot was used, in whole us (rounded down: never past the real use). */
  long lastUseBeforeEndUs() {
    return used > 0 && leased ? Math.max(0, TimeUnit.NANOSECONDS.toMicros(endsAt - lastUseAt)) : 0;
  }

  boolean inFlight() {
    return waiting != null;
  }

  boolean hasSlot(long now) {
    return used < granted && now - endsAt < 0;
  }

  /** A lease that ended with slots unused and not yet given back: they block other nodes until it is. */
  boolean owesHandBack(long now) {
    return leased && !handedBack && used < granted && now - endsAt >= 0;
  }

  RateLimitDecision allowedHere(long now) {
    return new RateLimitDecision(true, policy.limit(), remainingAfterGrant + granted - used, msUntil(resetAt, now));
  }

  RateLimitDecision rejectedHere(long now) {
    return new RateLimitDecision(false, policy.limit(), 0, msUntil(resetAt, now));
  }

  static long msUntil(long at, long now) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(at - now + 999_999));
  }
}
