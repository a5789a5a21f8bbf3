package dev.sluice.gateway.edge;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * An HTTP/2 client that writes frames byte by byte, so a test can send what no real client library
 * lets it send (a {@code connection} header, an upper-case name, a {@code content-length} that
 * the DATA contradicts). Header blocks are HPACK literals without indexing and without Huffman
 * (RFC 7541 §6.2.2): every server must read those.
 */
final class RawH2 implements AutoCloseable {
  private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  static final int DATA = 0;
  static final int HEADERS = 1;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int GOAWAY = 7;
  static final int END_STREAM = 0x1;
  static final int END_HEADERS = 0x4;

  /** What the server answered a stream with: a HEADERS frame (code: its :status), a reset or a GOAWAY (code: the error). */
  record Answer(int type, int code) {
    boolean refused() {
      return type == RST_STREAM || type == GOAWAY || type == HEADERS && code == 400;
    }
  }

  /** Netty's HPACK decoder reads the answers: the server may index and Huffman-code them. */
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

  private final SSLSocket socket;
  private final OutputStream out;
  private final DataInputStream in;

  RawH2(SSLContext context, int port) throws IOException {
    socket = TestClients.handshake(context, port, "gateway.test", List.of("h2"));
    if (!"h2".equals(socket.getApplicationProtocol())) {
      throw new IOException("no h2 by ALPN: " + socket.getApplicationProtocol());
    }
    out = socket.getOutputStream();
    in = new DataInputStream(socket.getInputStream());
    out.write(PREFACE);
    frame(SETTINGS, 0, 0, new byte[0]);
  }

  /** A header block of {@code name, value, name, value, …}, exactly as given (case included). */
  static byte[] block(String... namesAndValues) {
    ByteArrayOutputStream block = new ByteArrayOutputStream();
    for (int i = 0; i < namesAndValues.length; i += 2) {
      block.write(0x00); // literal header field without indexing, new name
      string(block, namesAndValues[i]);
      string(block, namesAndValues[i + 1]);
    }
    return block.toByteArray();
  }

  void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] head = {(byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
      (byte) type, (byte) flags, (byte) (stream >>> 24), (byte) (stream >>> 16), (byte) (stream >>> 8), (byte) stream};
    out.write(head);
    out.write(payload);
    out.flush();
  }

  /** Reads frames until the server answers {@code stream} (or the 10 s socket timeout passes). */
  Answer answerTo(int stream) throws IOException {
    try {
      while (true) {
        int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int id = in.readInt() & 0x7fffffff;
        byte[] payload = in.readNBytes(length);
        if (type == SETTINGS && (flags & 0x1) == 0) {
          frame(SETTINGS, 0x1, 0, new byte[0]); // ACK
        } else if (type == GOAWAY) {
          return new Answer(GOAWAY, payload.length >= 8 ? payload[7] & 0xff : -1);
        } else if (id == stream && type == RST_STREAM) {
          return new Answer(RST_STREAM, payload[3] & 0xff);
        } else if (id == stream && type == HEADERS) {
          return new Answer(HEADERS, status(id, headerBlock(flags, payload)));
        }
      }
    } catch (SocketTimeoutException e) {
      throw new IOException("no answer to stream " + stream + " in time", e);
    }
  }

  /** Reads {@code count} frames, whatever they are, undecoded: to wait until the server is answering. */
  void skipFrames(int count) throws IOException {
    for (int i = 0; i < count; i++) {
      int length = in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
      in.skipNBytes(6L + length);
    }
  }

  /** The header block inside a HEADERS payload: after a pad length (PADDED) and a priority (PRIORITY), before the padding. */
  private static byte[] headerBlock(int flags, byte[] payload) {
    int start = 0;
    int end = payload.length;
    if ((flags & 0x8) != 0) {
      end -= payload[0] & 0xff;
      start = 1;
    }
    if ((flags & 0x20) != 0) {
      start += 5;
    }
    return java.util.Arrays.copyOfRange(payload, start, end);
  }

  private int status(int id, byte[] block) throws IOException {
    try {
      Http2Headers headers = decoder.decodeHeaders(id, Unpooled.wrappedBuffer(block));
      return Integer.parseInt(headers.status().toString());
    } catch (Http2Exception e) {
      throw new IOException("an answer HPACK cannot read", e);
    }
  }

  private static void string(ByteArrayOutputStream block, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length >= 127) {
      throw new IllegalArgumentException("keep test headers short");
    }
    block.write(bytes.length); // H = 0: no Huffman
    block.write(bytes, 0, bytes.length);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
