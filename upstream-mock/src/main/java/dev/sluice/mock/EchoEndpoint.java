package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ANY /anything[/**]}: tells the caller exactly what arrived, so gateway tests can prove
 * byte-exact forwarding. Path and query are the raw strings from the request line (no decoding,
 * no dot-segment removal): a gateway that normalises or re-encodes is caught here.
 *
 * <pre>{"method":"POST","path":"/anything/a","query":"x=1&amp;x=2" | null,
 *  "headers":{"x-multi":["a","b"], ...},"bodyLength":524288,"bodySha256":"9f86…"}</pre>
 */
final class EchoEndpoint implements Endpoint {
  private final long maxBodyBytes;

  EchoEndpoint(long maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public Future<Reply> serve(HttpServerRequest request, String parameter) {
    // Everything but the body is captured now: the request head is only safe to read up front.
    JsonObject echo = new JsonObject()
        .put("method", request.method().name())
        .put("path", request.path())
        .put("query", request.query())
        .put("headers", headers(request));
    return RequestBody.digest(request, maxBodyBytes)
        .map(digest -> Reply.json(200, echo
            .put("bodyLength", digest.length())
            .put("bodySha256", digest.sha256Hex())));
  }

  /** Names lower-cased (HTTP names are case-insensitive); values kept in arrival order. */
  private static JsonObject headers(HttpServerRequest request) {
    Map<String, Object> byName = new LinkedHashMap<>();
    for (Map.Entry<String, String> header : request.headers()) {
      @SuppressWarnings("unchecked")
      List<String> values = (List<String>) byName.computeIfAbsent(
          header.getKey().toLowerCase(Locale.ROOT), name -> new ArrayList<String>(1));
      values.add(header.getValue());
    }
    return new JsonObject(byName);
  }
}
