package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * Picks the endpoint for a raw path with plain prefix checks: no regex, no path normalisation
 * (a Router would resolve {@code /anything/../status/500} before matching, hiding exactly what
 * gateway tests want to see). Unmatched paths go to the fallback.
 */
final class EndpointTable {
  private record Entry(String prefix, boolean subtree, Endpoint endpoint) {
  }

  private final List<Entry> entries = new ArrayList<>();
  private final Endpoint fallback;

  EndpointTable(Endpoint fallback) {
    this.fallback = fallback;
  }

  /** {@code path} itself and everything below it on a segment boundary ({@code /anything/x}). */
  EndpointTable subtree(String path, Endpoint endpoint) {
    entries.add(new Entry(path, true, endpoint));
    return this;
  }

  /** {@code prefix + "<parameter>"}, e.g. {@code withParameter("/status/", ...)}. */
  EndpointTable withParameter(String prefix, Endpoint endpoint) {
    if (!prefix.endsWith("/")) {
      throw new IllegalArgumentException("a parameter prefix ends with '/': " + prefix);
    }
    entries.add(new Entry(prefix, false, endpoint));
    return this;
  }

  Future<Reply> serve(HttpServerRequest request) {
    String path = request.path();
    for (Entry entry : entries) {
      String prefix = entry.prefix();
      if (!path.startsWith(prefix)) {
        continue;
      }
      if (!entry.subtree()) {
        return call(entry.endpoint(), request, path.substring(prefix.length()));
      }
      if (path.length() == prefix.length() || path.charAt(prefix.length()) == '/') {
        return call(entry.endpoint(), request, "");
      }
    }
    return call(fallback, request, "");
  }

  private static Future<Reply> call(Endpoint endpoint, HttpServerRequest request, String parameter) {
    try {
      return endpoint.serve(request, parameter);
    } catch (RuntimeException e) {
      // Parameter checks throw BadInputException; as a failed future it becomes a 400 reply.
      return Future.failedFuture(e);
    }
  }
}
