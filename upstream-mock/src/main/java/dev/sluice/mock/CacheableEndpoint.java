package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /cacheable[/**]?h=Name:Value&status=<code>&delayMs=<ms>}: an answer with the response
 * headers a cache test asks for ({@code h} repeats), after an optional delay. The body,
 * {@code {"path":…,"serial":n}}, carries how many calls this endpoint had served: a cached copy
 * shows an old serial. A request whose {@code If-None-Match} equals the asked-for {@code ETag}
 * gets {@code 304} with the same headers, as a real server revalidates.
 */
final class CacheableEndpoint implements Endpoint {
  private final Vertx vertx;
  private long served;

  CacheableEndpoint(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public Future<Reply> serve(HttpServerRequest request, String parameter) {
    List<Map.Entry<String, String>> headers = new ArrayList<>();
    String etag = null;
    for (String h : request.params().getAll("h")) {
      int colon = h.indexOf(':');
      if (colon <= 0) {
        throw new BadInputException("h", "must be Name:Value");
      }
      String name = h.substring(0, colon).trim();
      String value = h.substring(colon + 1).trim();
      headers.add(Map.entry(name, value));
      if (name.equalsIgnoreCase("ETag")) {
        etag = value;
      }
    }
    String statusText = QueryParams.get(request, "status");
    int status = statusText == null ? 200 : (int) Numbers.parseWhole("status", statusText, 200, 599);
    String delayText = QueryParams.get(request, "delayMs");
    long delayMs = delayText == null ? 0 : Numbers.parseWhole("delayMs", delayText, 0, DelayEndpoint.MAX_DELAY_MS);
    boolean notModified = etag != null && etag.equals(request.getHeader("If-None-Match"));
    long serial = ++served;
    Reply reply = notModified
      ? new Reply(304, io.vertx.core.buffer.Buffer.buffer(), null, null)
      : Reply.json(status, new JsonObject().put("path", request.path()).put("serial", serial));
    return Delays.after(vertx, delayMs).map(v -> reply.withHeaders(headers));
  }
}
