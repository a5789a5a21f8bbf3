package dev.sluice.gateway.upstream;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpMethod;

import java.util.function.Consumer;

/**
 * Everything one attempt sends, computed once per client request so that a retry sends the
 * very same bytes.
 *
 * @param pathAndQuery  what follows the target's own path: the route's forwarded path and the query
 * @param headers       writes the headers into an attempt's own (each attempt gets the same); written
 *                      there directly, because a header map built first would be copied once more
 * @param timeoutMs     the longest wait for the response head once the body has been sent
 * @param upgrade       a WebSocket handshake: sent with {@code Connection: Upgrade}, answered by a tunnel on 101
 */
public record UpstreamRequest(HttpMethod method, String pathAndQuery, Consumer<MultiMap> headers, RequestBody body,
                              long timeoutMs, boolean upgrade) {
}
