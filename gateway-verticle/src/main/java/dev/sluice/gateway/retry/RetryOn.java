package dev.sluice.gateway.retry;

import java.util.Set;

/** The outcomes of an attempt that may be retried: {@code connect}, {@code timeout} and HTTP statuses. */
public record RetryOn(boolean connect, boolean timeout, Set<Integer> statuses) {
  public static final RetryOn DEFAULT = new RetryOn(true, true, Set.of(502, 503, 504));

  public RetryOn {
    statuses = Set.copyOf(statuses);
  }
}
