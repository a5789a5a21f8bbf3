package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * {@code /bytes/<n>}: n bytes of a fixed pattern ({@code byte i = i * 31 + i / 256}, repeating
 * every 64 KiB), for large-body tests and the benchmark's 1 MiB row. The body is one buffer made
 * once per instance and sliced per reply, so the mock's own cost per large reply is its write.
 */
final class BytesEndpoint implements Endpoint {
  /** What one reply may hold: enough for benchmarks, never enough to take the mock down. */
  static final long MAX_BYTES = 16L * 1024 * 1024;
  private static final int BLOCK = 64 * 1024;
  private static final CharSequence OCTET_STREAM = HttpHeaders.createOptimized("application/octet-stream");

  private Buffer pattern = Buffer.buffer();

  @Override
  public Future<Reply> serve(HttpServerRequest request, String parameter) {
    int length = (int) Numbers.parseWhole("n", parameter, 0, MAX_BYTES);
    return Future.succeededFuture(new Reply(200, slice(length), HttpHeaders.CONTENT_TYPE, OCTET_STREAM));
  }

  private Buffer slice(int length) {
    if (pattern.length() < length) {
      byte[] bytes = new byte[length];
      for (int i = 0; i < length; i++) {
        int j = i % BLOCK;
        bytes[i] = (byte) (j * 31 + (j >> 8));
      }
      pattern = Buffer.buffer(bytes);
    }
    return pattern.slice(0, length);
  }
}
