package dev.sluice.gateway.proxy;

import dev.sluice.gateway.upstream.UpstreamResponse;

/** The upstream's answer to relay to the client: its head, and its body still on the wire. */
public record ProxyReply(UpstreamResponse upstream) {
}
