package dev.sluice.gateway.cache;

/**
 * An entry as found, with its age at that moment.
 *
 * @param fillUnderWay another request somewhere in the cluster holds the entry's fill lock
 */
public record Found(CachedEntry entry, long ageMs, boolean fillUnderWay) {
  public boolean fresh() {
    return ageMs < entry.freshnessMs();
  }

  /** Whether the entry is at most {@code seconds} past its freshness. */
  public boolean staleWithin(long seconds) {
    return ageMs < entry.freshnessMs() + seconds * 1000;
  }

  /** The {@code Age} header's value (RFC 9111 §5.1): whole seconds. */
  public long ageSeconds() {
    return Math.max(0, ageMs / 1000);
  }

  Found olderBy(long ms) {
    return new Found(entry, ageMs + ms, fillUnderWay);
  }
}
