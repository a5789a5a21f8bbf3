package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Reads request bodies without trusting their size. Each method must be called from the request
 * handler itself, before returning: Vert.x drops body chunks that arrive while no handler is set.
 *
 * <p>Past the limit the rest of the body is still read and thrown away, then the future fails
 * with {@link PayloadTooLargeException}. Answering 413 before the client finished sending would
 * make many clients see a reset connection instead of the 413.
 */
final class RequestBody {
  /** Length and SHA-256 of a body that was hashed as it streamed in, never held whole. */
  record Digest(long length, String sha256Hex) {
  }

  private RequestBody() {
  }

  static Future<Digest> digest(HttpServerRequest request, long maxBytes) {
    MessageDigest sha256 = sha256();
    if (request.isEnded()) {
      return Future.succeededFuture(new Digest(0, HexFormat.of().formatHex(sha256.digest())));
    }
    Promise<Digest> promise = Promise.promise();
    long[] length = {0};
    request.handler(chunk -> {
      length[0] += chunk.length();
      if (length[0] <= maxBytes) {
        sha256.update(chunk.getBytes());
      }
    });
    request.exceptionHandler(promise::tryFail);
    request.endHandler(v -> {
      if (length[0] > maxBytes) {
        promise.tryFail(new PayloadTooLargeException(maxBytes));
      } else {
        promise.tryComplete(new Digest(length[0], HexFormat.of().formatHex(sha256.digest())));
      }
    });
    return promise.future();
  }

  /** The whole body, for small control-API documents. */
  static Future<Buffer> read(HttpServerRequest request, long maxBytes) {
    if (request.isEnded()) {
      return Future.succeededFuture(Buffer.buffer());
    }
    Promise<Buffer> promise = Promise.promise();
    Buffer body = Buffer.buffer();
    boolean[] tooLarge = {false};
    request.handler(chunk -> {
      if (!tooLarge[0] && body.length() + chunk.length() <= maxBytes) {
        body.appendBuffer(chunk);
      } else {
        tooLarge[0] = true;
      }
    });
    request.exceptionHandler(promise::tryFail);
    request.endHandler(v -> {
      if (tooLarge[0]) {
        promise.tryFail(new PayloadTooLargeException(maxBytes));
      } else {
        promise.tryComplete(body);
      }
    });
    return promise.future();
  }

  /** Completes when the body has been received (and discarded). */
  static Future<Void> discard(HttpServerRequest request) {
    return request.isEnded() ? Future.succeededFuture() : request.end();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
  }
}
