package dev.sluice.gateway.stream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.streams.WriteStream;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A body of any length made on the fly, never held whole: the same 64 KiB block repeated (and
 * cut to length), written with backpressure. Its sha256 can be computed without sending it.
 */
public final class GeneratedBody {
  static final int BLOCK = 64 * 1024;
  private static final Buffer PATTERN = pattern();
  private final long length;
  private long written;

  public GeneratedBody(long length) {
    this.length = length;
  }

  public void writeTo(WriteStream<Buffer> out) {
    while (written < length && !out.writeQueueFull()) {
      int n = (int) Math.min(BLOCK, length - written);
      written += n;
      out.write(n == BLOCK ? PATTERN.copy() : PATTERN.getBuffer(0, n)).onFailure(err -> written = length);
    }
    if (written >= length) {
      if (length != Long.MAX_VALUE) {
        out.end();
      }
      return;
    }
    out.drainHandler(v -> writeTo(out));
  }

  public static String sha256Of(long length) {
    MessageDigest sha = sha256();
    byte[] block = PATTERN.getBytes();
    for (long done = 0; done < length; done += BLOCK) {
      sha.update(block, 0, (int) Math.min(BLOCK, length - done));
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Buffer pattern() {
    byte[] bytes = new byte[BLOCK];
    for (int i = 0; i < BLOCK; i++) {
      bytes[i] = (byte) (i * 31 + (i >> 8));
    }
    return Buffer.buffer(bytes);
  }
}
