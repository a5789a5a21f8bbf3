package dev.sluice.gateway.stream;

import io.vertx.core.VertxException;

/** A relay stopped before its source ended; says which side is to blame. */
public final class RelayException extends VertxException {
  private final boolean sourceFailed;

  RelayException(boolean sourceFailed, Throwable cause) {
    super((sourceFailed ? "source failed: " : "destination failed: ") + cause.getMessage(), cause, true);
    this.sourceFailed = sourceFailed;
  }

  /** True when the source failed (or a chunk check refused it); false when the destination went away. */
  public boolean sourceFailed() {
    return sourceFailed;
  }
}
