package dev.sluice.mock;

import io.vertx.core.json.JsonObject;

/** Turns an endpoint's failure into the JSON reply the caller sees. */
final class Failures {
  private Failures() {
  }

  static Reply toReply(Throwable failure) {
    if (failure instanceof BadInputException bad) {
      return Reply.json(400, error("BAD_REQUEST", bad.getMessage()).put("field", bad.field()));
    }
    if (failure instanceof PayloadTooLargeException tooLarge) {
      return Reply.json(413, error("PAYLOAD_TOO_LARGE", tooLarge.getMessage()));
    }
    // A bug in the mock or a broken connection; say so rather than hang the caller.
    return Reply.json(500, error("MOCK_ERROR", String.valueOf(failure)));
  }

  static JsonObject error(String code, String message) {
    return new JsonObject().put("error", code).put("message", message);
  }
}
