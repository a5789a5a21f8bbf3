package dev.sluice.gateway.proxy;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import io.vertx.core.net.impl.ConnectionBase;

import java.util.List;

/**
 * Vert.x's request decoder, made to refuse what a proxy must not guess about (RFC 9112 §6.1, §6.3):
 * <ul>
 *   <li>{@code Transfer-Encoding} together with {@code Content-Length}: Netty would quietly drop
 *       the length and read chunks, while a load balancer in front of us may frame by the length,
 *       so the two would disagree on where the next request starts (request smuggling);</li>
 *   <li>a {@code Transfer-Encoding} whose last coding is not {@code chunked} ({@code xchunked},
 *       {@code chunked, identity}): its length cannot be known;</li>
 *   <li>an HTTP version other than 1.0 and 1.1, which Vert.x would answer 501 with the client's
 *       own bytes as the status line's protocol.</li>
 * </ul>
 * A refused request becomes a decoding failure, so it reaches the server's invalid-request
 * handler ({@link MalformedRequests}), never a route, and Vert.x closes the connection after the
 * answer without reading another request from it. Differing {@code Content-Length}s are already
 * refused by Netty.
 *
 * <p>Vert.x 5 has no public hook for its HTTP/1 decoder, so this is installed in place of Vert.x's
 * own when a connection opens, through Vert.x internals pinned by the BOM; {@code FramingTest}
 * fails if a Vert.x upgrade breaks it.
 */
final class StrictRequestDecoder extends VertxHttpRequestDecoder {
  private static final String DECODER = "httpDecoder";

  StrictRequestDecoder(HttpServerOptions options) {
    super(options);
  }

  /** Call from the server's connection handler, before the connection has read a byte. */
  static void install(HttpConnection connection, HttpServerOptions options) {
    if (connection instanceof ConnectionBase base) {
      ChannelPipeline pipeline = base.channelHandlerContext().pipeline();
      if (pipeline.get(DECODER) instanceof VertxHttpRequestDecoder) {
        pipeline.replace(DECODER, DECODER, new StrictRequestDecoder(options));
      }
    }
  }

  @Override
  protected HttpMessage createMessage(String[] initialLine) {
    String version = initialLine[2];
    if (!"HTTP/1.1".equals(version) && !"HTTP/1.0".equals(version)) {
      throw new UnsupportedVersion();
    }
    return super.createMessage(initialLine);
  }

  /**
   * Called once a message's headers are read. Throwing here (rather than marking the message)
   * puts Netty's decoder in its bad-message state: every byte after it on the connection is
   * dropped, so a request hidden in the body can never be decoded and dispatched before the
   * connection closes.
   */
  @Override
  protected boolean isContentAlwaysEmpty(HttpMessage message) {
    String problem = framingProblem(message.headers());
    if (problem != null) {
      throw new AmbiguousFraming(problem);
    }
    return super.isContentAlwaysEmpty(message);
  }

  static String framingProblem(HttpHeaders headers) {
    List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (codings.isEmpty()) {
      return null;
    }
    if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
      return "Transfer-Encoding and Content-Length together";
    }
    String last = codings.get(codings.size() - 1);
    int comma = last.lastIndexOf(',');
    String lastCoding = (comma < 0 ? last : last.substring(comma + 1)).trim();
    return "chunked".equalsIgnoreCase(lastCoding) ? null : "Transfer-Encoding does not end in chunked";
  }

  /** Why a request's framing was refused; the message is ours, never the client's bytes. */
  static final class AmbiguousFraming extends IllegalArgumentException {
    AmbiguousFraming(String problem) {
      super(problem);
    }
  }

  static final class UnsupportedVersion extends IllegalArgumentException {
    UnsupportedVersion() {
      super("unsupported HTTP version");
    }
  }
}
