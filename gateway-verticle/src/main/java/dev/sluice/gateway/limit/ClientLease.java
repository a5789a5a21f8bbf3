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
