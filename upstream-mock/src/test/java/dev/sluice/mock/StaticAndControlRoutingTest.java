package dev.sluice.mock;

import static dev.sluice.mock.MockServer.verify;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticAndControlRoutingTest extends MockServerTest {

  @Test
  void rootStaticAndEveryUnmatchedPathAnswerTheStaticOk(VertxTestContext ctx) {
    List<String> uris = List.of("/", "/static", "/users/42?x=1", "/status", "/__mockery");
    var answers = Future.all(uris.stream().map(mock::get).toList()).map(all -> all.<HttpResponse<Buffer>>list());
    verify(ctx, answers, responses -> {
      for (int i = 0; i < uris.size(); i++) {
        assertEquals(200, responses.get(i).statusCode(), uris.get(i));
        assertEquals("application/json", responses.get(i).getHeader("Content-Type"), uris.get(i));
        assertEquals(new JsonObject().put("ok", true), responses.get(i).bodyAsJsonObject(), uris.get(i));
      }
    });
  }

  @Test
  void staticAnswersAnyMethod(VertxTestContext ctx) {
    verify(ctx, mock.request(HttpMethod.DELETE, "/static").send(), response ->
        assertEquals(new JsonObject().put("ok", true), response.bodyAsJsonObject()));
  }

  @Test
  void unknownControlPathsAre404AndWrongMethods405WithAllow(VertxTestContext ctx) {
    var answers = mock.get("/__mock/nope")
        .compose(notFound -> mock.get("/__mock/reset").map(wrongMethod -> List.of(notFound, wrongMethod)));
    verify(ctx, answers, responses -> {
      assertEquals(404, responses.get(0).statusCode());
      assertEquals("NOT_FOUND", responses.get(0).bodyAsJsonObject().getString("error"));
      assertEquals(405, responses.get(1).statusCode());
      assertEquals("POST", responses.get(1).getHeader("Allow"));
    });
  }
}
