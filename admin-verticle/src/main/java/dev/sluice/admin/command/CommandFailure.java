package dev.sluice.admin.command;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Why an admin command changed nothing, in the admin API's error vocabulary: the HTTP status and
 * code an endpoint answers with, and, over the event bus, the reply's failure code and message.
 *
 * @param problems for INVALID_ROUTES, each field that does not validate; otherwise empty
 */
public final class CommandFailure extends RuntimeException {
  private final int status;
  private final String code;
  private final JsonArray problems;

  public CommandFailure(int status, String code, String message) {
    this(status, code, message, new JsonArray());
  }

  public CommandFailure(int status, String code, String message, JsonArray problems) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
    this.problems = problems;
  }

  public int status() {
    return status;
  }

  public String code() {
    return code;
  }

  public JsonArray problems() {
    return problems;
  }

  /** The admin API's error body. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("status", "error").put("code", code).put("message", getMessage());
    return problems.isEmpty() ? json : json.put("problems", problems);
  }

  /** A failed event-bus reply carries only a code and a text: the body's JSON is the text. */
  public String asReplyMessage() {
    return toJson().encode();
  }
}
