package dev.sluice.mock;

import static dev.sluice.mock.MockServer.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;

class CacheableEndpointTest extends MockServerTest {

  @Test
  void answersWithTheAskedForHeadersAndACallSerial(VertxTestContext ctx) {
    verify(ctx, mock.get("/cacheable/a?h=Cache-Control%3Amax-age%3D60&h=Vary%3AAccept&status=404"), response -> {
      assertEquals(404, response.statusCode());
      assertEquals("max-age=60", response.getHeader("Cache-Control"));
      assertEquals("Accept", response.getHeader("Vary"));
      assertEquals("/cacheable/a", response.bodyAsJsonObject().getString("path"));
      assertEquals(1L, response.bodyAsJsonObject().getLong("serial"));
    });
  }

  @Test
  void aMatchingIfNoneMatchGetsA304WithTheSameHeaders(VertxTestContext ctx) {
    var request = mock.request(HttpMethod.GET, "/cacheable/e?h=ETag%3A%22v1%22").putHeader("If-None-Match", "\"v1\"");
    verify(ctx, request.send(), response -> {
      assertEquals(304, response.statusCode());
      assertEquals("\"v1\"", response.getHeader("ETag"));
    });
  }

  @Test
  void aHeaderWithoutAColonIsABadRequest(VertxTestContext ctx) {
    verify(ctx, mock.get("/cacheable/x?h=nocolon"), response -> assertEquals(400, response.statusCode()));
  }
}
