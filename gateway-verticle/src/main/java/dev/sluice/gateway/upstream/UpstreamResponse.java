package dev.sluice.gateway.upstream;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/**
 * An upstream's answer, read in full: status line, headers as received (hop-by-hop ones included;
 * the proxy drops those when it replies) and body.
 */
public record UpstreamResponse(int statusCode, String statusMessage, MultiMap headers, Buffer body) {
  public String getHeader(String name) {
    return headers.get(name);
  }
}
