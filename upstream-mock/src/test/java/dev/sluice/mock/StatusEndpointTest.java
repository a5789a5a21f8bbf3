package dev.sluice.mock;

import static dev.sluice.mock.MockServer.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusEndpointTest extends MockServerTest {

  @Test
  void answersTheRequestedStatusWithASmallJsonBody(VertxTestContext ctx) {
    verify(ctx, mock.get("/status/418"), response -> {
      assertEquals(418, response.statusCode());
      assertEquals("application/json", response.getHeader("Content-Type"));
      assertEquals(new JsonObject().put("status", 418), response.bodyAsJsonObject());
      assertNull(response.getHeader("Retry-After"));
    });
  }

  @Test
  void addsRetryAfterWhenAskedFor(VertxTestContext ctx) {
    verify(ctx, mock.get("/status/503?retryAfter=7"), response -> {
      assertEquals(503, response.statusCode());
      assertEquals("7", response.getHeader("Retry-After"));
      assertEquals(new JsonObject().put("status", 503), response.bodyAsJsonObject());
    });
  }

  @Test
  void sendsNoBodyWhereHttpForbidsOne(VertxTestContext ctx) {
    verify(ctx, mock.get("/status/204"), response -> {
      assertEquals(204, response.statusCode());
      assertNull(response.body());
    });
  }

  @Test
  void rejectsWhatIsNotAFinalStatusNamingTheField(VertxTestContext ctx) {
    List<String> uris = List.of("/status/abc", "/status/101", "/status/600", "/status/",
        "/status/503?retryAfter=soon", "/status/503?retryAfter=%zz");
    List<String> expectedFields = List.of("code", "code", "code", "code", "retryAfter", "query");
    var answers = Future.all(uris.stream().map(mock::get).toList())
        .map(all -> all.<HttpResponse<Buffer>>list());
    verify(ctx, answers, responses -> {
      for (int i = 0; i < uris.size(); i++) {
        assertEquals(400, responses.get(i).statusCode(), uris.get(i));
        assertEquals(expectedFields.get(i), responses.get(i).bodyAsJsonObject().getString("field"), uris.get(i));
      }
    });
  }
}
