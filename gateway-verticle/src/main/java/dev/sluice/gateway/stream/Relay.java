package dev.sluice.gateway.stream;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.ReadStream;
import io.vertx.core.streams.WriteStream;

/**
 * Copies one stream into another as chunks arrive, with backpressure: when the destination's
 * write queue is full the source is paused until it drains, so a node holds at most a queue's
 * worth of a body, whatever the body's size.
 *
 * <p>Unlike {@code ReadStream.pipeTo}, the destination is not ended here: the caller ends it, so
 * that whatever must be recorded before the last byte reaches the peer can be. A failure says
 * which side failed ({@link RelayException#sourceFailed()}), because the two call for different
 * actions (an upstream that died is a circuit failure; a client that left is not).
 */
public final class Relay {
  private final ReadStream<Buffer> from;
  private final WriteStream<Buffer> to;
  private final ChunkCheck check;
  private final Promise<Void> done = Promise.promise();
  private long bytes;
  private boolean waitingForDestination;
  private long lastChunkNanos = System.nanoTime();

  /** Sees each chunk before it is written; a failure it returns ends the relay as a source failure. */
  @FunctionalInterface
  public interface ChunkCheck {
    ChunkCheck NONE = (chunk, total) -> null;

    /** @return null to pass the chunk on, or why the source must stop */
    Throwable check(Buffer chunk, long totalBytes);
  }

  public Relay(ReadStream<Buffer> from, WriteStream<Buffer> to) {
    this(from, to, ChunkCheck.NONE);
  }

  public Relay(ReadStream<Buffer> from, WriteStream<Buffer> to, ChunkCheck check) {
    this.from = from;
    this.to = to;
    this.check = check;
  }

  /** Starts copying (resuming the source); completes when the source has ended and every chunk was handed to the destination. */
  public Future<Void> start() {
    from.exceptionHandler(err -> fail(true, err));
    to.exceptionHandler(err -> fail(false, err));
    from.endHandler(v -> done.tryComplete());
    from.handler(this::forward);
    from.resume();
    return done.future();
  }

  /** The destination went away (its close handler, which {@code WriteStream} does not have). */
  public void destinationClosed(Throwable why) {
    fail(false, why);
  }

  /**
   * Whether the source is paused until the destination drains: a source that falls silent now
   * does so because the destination stopped reading, not on its own.
   */
  public boolean waitingForDestination() {
    return waitingForDestination;
  }

  /** How long the source has sent nothing (since its last chunk, or since the relay started). */
  public long quietMs() {
    return (System.nanoTime() - lastChunkNanos) / 1_000_000;
  }

  /** Bytes passed on so far. */
  public long bytes() {
    return bytes;
  }

  private void forward(Buffer chunk) {
    if (done.future().isComplete()) {
      return;
    }
    bytes += chunk.length();
    lastChunkNanos = System.nanoTime();
    Throwable refused = check.check(chunk, bytes);
    if (refused != null) {
      fail(true, refused);
      return;
    }
    to.write(chunk);
    if (to.writeQueueFull()) {
      from.pause();
      waitingForDestination = true;
      to.drainHandler(v -> {
        waitingForDestination = false;
        from.resume();
      });
    }
  }

  private void fail(boolean source, Throwable cause) {
    if (done.tryFail(new RelayException(source, cause))) {
      from.handler(null);
      from.endHandler(null);
      // Let the source go: a paused stream whose reader left would hold its connection.
      from.resume();
    }
  }
}
