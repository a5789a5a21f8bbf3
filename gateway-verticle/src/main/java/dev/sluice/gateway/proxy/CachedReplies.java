package dev.sluice.gateway.proxy;

import dev.sluice.gateway.cache.CachedEntry;
import dev.sluice.gateway.cache.Found;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;

import java.util.Map;

/** Writes a cache entry as the answer, whole: its status and headers, {@code Age}, and its body (none for HEAD). */
final class CachedReplies {
  private static final CharSequence AGE = HttpHeaders.createOptimized("Age");

  private CachedReplies() {
  }

  static void write(Exchange exchange, Found found, Runnable record) {
    CachedEntry entry = found.entry();
    HttpServerResponse response = exchange.request().response();
    response.setStatusCode(entry.status());
    MultiMap headers = response.headers();
    for (Map.Entry<String, String> header : entry.headers()) {
      headers.add(header.getKey(), header.getValue());
    }
    headers.set(AGE, Long.toString(found.ageSeconds()));
    ReplyWriter.addOwnHeaders(exchange, response);
    record.run();
    if (exchange.request().method() == HttpMethod.HEAD) {
      headers.set(HttpHeaders.CONTENT_LENGTH, Integer.toString(entry.body().length()));
      response.end();
    } else if (entry.status() == 204) {
      response.end();
    } else {
      response.end(entry.body());
    }
  }
}
