package dev.sluice.gateway.cache;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;

/**
 * A copy of an answer's body taken while it is relayed to the client, up to a bound. Past the
 * bound the copy is dropped at once and the rest of the body only streams: memory stays bounded
 * by {@code maxBytes} per answer, however large the answer.
 */
public final class BodyCapture {
  private final long maxBytes;
  private final Promise<Buffer> done = Promise.promise();
  private Buffer body;

  public BodyCapture(long maxBytes) {
    this.maxBytes = maxBytes;
    this.body = Buffer.buffer();
  }

  /** Copies a chunk (it is also written to the client, which may release it). */
  public void chunk(Buffer chunk) {
    if (body == null) {
      return;
    }
    if (body.length() + (long) chunk.length() > maxBytes) {
      abandon("larger than maxBodyBytes");
      return;
    }
    body.appendBuffer(chunk);
  }

  /** The body ended whole. */
  public void complete() {
    if (body != null) {
      done.tryComplete(body);
      body = null;
    }
  }

  /** The body broke off, or outgrew the bound: nothing is stored. */
  public void abandon(String why) {
    body = null;
    done.tryFail(why);
  }

  /** Completes with the whole body, or fails when there will be none to store. */
  public Future<Buffer> body() {
    return done.future();
  }
}
