package dev.sluice.gateway.retry;

/** A failure that knows how long the upstream asked us to wait before trying again. */
public interface RetryAfterHint {
  /** @return ms the upstream asked for, or a negative number when it asked for nothing */
  long retryAfterMs();
}
