package dev.sluice.gateway.upstream;

/**
 * What one verticle instance knows of one target: requests in flight, failures in a row, whether
 * it is ejected (passively, until a time on this instance's monotonic clock) or held down by the
 * active health check. Ejections arrive from any instance as durations and are kept as local
 * deadlines, so no two clocks are ever compared.
 *
 * <p>Written on the instance's event loop only; the fields a metrics scrape reads are volatile.
 */
public final class TargetState {
  /** The longest one ejection lasts, however often it repeats (Envoy's max_ejection_time). */
  public static final long MAX_EJECT_MS = 300_000;

  private int inFlight;
  private int consecutiveFailures;
  private long requests;
  private long failures;
  private volatile long ejectedUntilMs = Long.MIN_VALUE;
  private volatile boolean unhealthy;
  /** How many times in a row the target was ejected; the ejection lasts ejectMs × 2^(ejections-1). */
  private int ejections;
  private long lastEjectionMs;
  private String ejectedBy = "";
  private String reason = "";
  /** Other nodes' ejections of this target now in effect, as node → until (this instance's clock). */
  private final java.util.Map<String, Long> otherNodes = new java.util.HashMap<>();

  public boolean available(long nowMs) {
    return !unhealthy && !ejected(nowMs);
  }

  public boolean ejected(long nowMs) {
    return nowMs < ejectedUntilMs;
  }

  public boolean unhealthy() {
    return unhealthy;
  }

  /** @return ms until the ejection ends, 0 when not ejected */
  public long remainingMs(long nowMs) {
    return ejected(nowMs) ? ejectedUntilMs - nowMs : 0;
  }

  void started() {
    inFlight++;
  }

  /**
   * The outcome of one attempt.
   *
   * @return failures in a row so far, 0 after a success
   */
  int finished(boolean failure) {
    inFlight = Math.max(0, inFlight - 1);
    requests++;
    if (failure) {
      failures++;
      consecutiveFailures++;
    } else {
      consecutiveFailures = 0;
    }
    return consecutiveFailures;
  }

  /**
   * An attempt counted a success at its head whose body the target then broke off.
   *
   * @return failures in a row so far
   */
  int failedAfterHead() {
    failures++;
    consecutiveFailures++;
    return consecutiveFailures;
  }

  /** An attempt that says nothing of the target (the client cut its upload short). */
  void abandoned() {
    inFlight = Math.max(0, inFlight - 1);
  }

  /**
   * The length and sequence number the next ejection would have: ejectMs, doubled for each
   * ejection in a row, where a target that stayed in at least as long as it was last out starts
   * a new row.
   */
  Ejection nextEjection(OutlierOptions outlier, long nowMs) {
    boolean freshStart = ejections == 0 || nowMs - ejectedUntilMs >= lastEjectionMs;
    int sequence = freshStart ? 1 : ejections + 1;
    long cap = Math.max(outlier.ejectMs(), MAX_EJECT_MS);
    long forMs = outlier.ejectMs();
    for (int i = 1; i < sequence && forMs < cap; i++) {
      forMs *= 2;
    }
    return new Ejection(Math.min(forMs, cap), sequence);
  }

  /** The length of an ejection and its place in the row. */
  record Ejection(long forMs, int sequence) {
  }

  /**
   * Ejects for {@code forMs} from now, unless this instance already applied this ejection or a
   * later one (the same event reaches an instance by the bus and from the map).
   *
   * @return false when it was not news
   */
  boolean eject(long nowMs, long forMs, int sequence, String by, String why) {
    if (ejected(nowMs) && sequence <= ejections) {
      return false;
    }
    ejectedUntilMs = nowMs + forMs;
    ejections = sequence;
    lastEjectionMs = forMs;
    consecutiveFailures = 0;
    ejectedBy = by;
    reason = why;
    return true;
  }

  /**
   * Ends ejection {@code sequence} now (its ejecting instance's timer ran out; a joiner that took
   * the full length from the map learns the true end this way); 0 ends any (the health check
   * passed).
   */
  boolean returned(long nowMs, int sequence) {
    if (!ejected(nowMs) || (sequence != 0 && sequence != ejections)) {
      return false;
    }
    ejectedUntilMs = nowMs;
    return true;
  }

  void unhealthy(boolean down, String by, String why) {
    unhealthy = down;
    if (down) {
      ejectedBy = by;
      reason = why;
    }
  }

  /**
   * Another node ejected this target until {@code untilMs}.
   *
   * @return the other nodes holding an ejection of it now, that one included
   */
  int ejectedByNode(String node, long untilMs, long nowMs) {
    otherNodes.put(node, untilMs);
    return ejectingNodes(nowMs);
  }

  void returnedOnNode(String node, long nowMs) {
    otherNodes.remove(node);
    ejectingNodes(nowMs);
  }

  int ejectingNodes(long nowMs) {
    otherNodes.values().removeIf(until -> until <= nowMs);
    return otherNodes.size();
  }

  public int inFlight() {
    return inFlight;
  }

  public int consecutiveFailures() {
    return consecutiveFailures;
  }

  public long requests() {
    return requests;
  }

  public long failures() {
    return failures;
  }

  public int ejections() {
    return ejections;
  }

  public String ejectedBy() {
    return ejectedBy;
  }

  public String reason() {
    return reason;
  }
}
