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

  final String key;
  RateLimitPolicy policy;
  LeaseSizing sizing;
  long lastSeen;

  // Rate: arrivals per lease period, smoothed over periods.
  private long periodStart;
  private int arrivals;
  private double perLease;

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
  }

  /** Counts an arrival; periods with none decay the rate by half each. */
  void observe(long now) {
    lastSeen = now;
    if (!sizing.leases()) {
      return;
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
  }

  /** The rate to size a grant by: a burst in the current period counts at once. */
  double perLease() {
    return Math.max(perLease, arrivals);
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
