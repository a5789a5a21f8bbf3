package dev.sluice.gateway.retry;

import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.upstream.RequestBody;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

/**
 * Keeps a request body in memory while it fits in {@code retry.bufferBytes}, so that a retry can
 * send it again. A body that will not fit, or that no retry could ever re-send, is not gathered:
 * it streams upstream as the upstream reads it, so memory per request stays bounded by buffer
 * sizes, never by body size.
 */
public final class ReplayBuffer {
  private ReplayBuffer() {
  }

  /**
   * @param request      paused; resumed here only while gathering
   * @param length       the declared Content-Length, or -1 (chunked, or no body)
   * @param maxBodyBytes 0 = no limit; past it: 413 PAYLOAD_TOO_LARGE
   * @param maySendTwice false when the request will be sent once whatever happens (nothing to keep)
   */
  public static Future<RequestBody> read(HttpServerRequest request, long length, long bufferBytes, long maxBodyBytes,
                                         boolean maySendTwice) {
    if (!maySendTwice || length > bufferBytes) {
      return Future.succeededFuture(RequestBody.streamed(Buffer.buffer(0), request, length, maxBodyBytes));
    }
    Promise<RequestBody> promise = Promise.promise();
    Buffer kept = Buffer.buffer((int) Math.max(0, length));
    request.handler(chunk -> {
      kept.appendBuffer(chunk);
      if (maxBodyBytes > 0 && kept.length() > maxBodyBytes) {
        stop(request);
        promise.tryFail(GatewayException.of(GatewayError.PAYLOAD_TOO_LARGE,
          "request body exceeds " + maxBodyBytes + " bytes"));
      } else if (kept.length() > bufferBytes) {
        stop(request);
        promise.tryComplete(RequestBody.streamed(kept, request, length, maxBodyBytes));
      }
    });
    request.exceptionHandler(promise::tryFail);
    request.endHandler(v -> promise.tryComplete(RequestBody.buffered(kept)));
    request.resume();
    return promise.future();
  }

  /** Hands the rest of the body, paused and untouched, to whoever streams it. */
  private static void stop(HttpServerRequest request) {
    request.pause();
    request.handler(null);
    request.endHandler(null);
    request.exceptionHandler(null);
  }
}
