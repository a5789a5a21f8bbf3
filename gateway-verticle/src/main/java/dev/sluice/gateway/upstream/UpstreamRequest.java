package dev.sluice.gateway.upstream;

import dev.sluice.gateway.route.Route;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

/**
 * Everything one attempt sends, computed once per client request so that a retry sends the
 * very same bytes.
 *
 * @param body null when the client sent no body
 */
public record UpstreamRequest(Route route, HttpMethod method, String uri, MultiMap headers, Buffer body,
                              long timeoutMs) {
}
