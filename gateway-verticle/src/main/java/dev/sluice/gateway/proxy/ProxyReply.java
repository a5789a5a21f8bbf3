package dev.sluice.gateway.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;

/** A response ready to go back to the client: the upstream's, already stripped of hop-by-hop headers. */
public record ProxyReply(int status, String statusMessage, MultiMap headers, Buffer body) {
}
