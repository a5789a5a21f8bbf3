package dev.sluice.admin.bridge;

import dev.sluice.admin.command.AdminCommand;
import dev.sluice.admin.command.AdminToken;
import dev.sluice.admin.command.CommandFailure;
import io.vertx.ext.bridge.BaseBridgeEvent;
import io.vertx.ext.bridge.BridgeEventType;
import io.vertx.core.json.JsonObject;

import java.util.Optional;

/**
 * Decides, for both bridges, what a client may put on the bus: a {@code send} (request/reply) to
 * {@link AdminCommand#ADDRESS} carrying {@code headers.Authorization: Bearer <admin token>}, and
 * nothing else. The bridges' own permissions ({@link BridgePermissions}) would refuse other
 * addresses too; checking here as well gives the client a reason, and is the only place the token
 * is read. An allowed command leaves with its headers stripped: the token goes no further than
 * this node's bridge (not onto the cluster's bus, not into any log).
 */
public final class BridgeGuard {
  private static final String AUTHORIZATION = "authorization";

  private final AdminToken token;

  public BridgeGuard(AdminToken token) {
    this.token = token;
  }

  /**
   * @return empty when the event may go on (a send's headers then removed from it); otherwise the
   *   error frame to write to the client before the bridge refuses the event
   */
  public Optional<JsonObject> inspect(BaseBridgeEvent event) {
    if (event.type() != BridgeEventType.SEND && event.type() != BridgeEventType.PUBLISH) {
      return Optional.empty(); // registrations are checked against BridgePermissions.OUTBOUND by the bridge
    }
    JsonObject raw = event.getRawMessage();
    String address = raw == null ? null : raw.getString("address");
    String replyAddress = raw == null ? null : raw.getString("replyAddress");
    if (!AdminCommand.ADDRESS.equals(address)) {
      return Optional.of(errorFrame(address, replyAddress, new CommandFailure(403, "ACCESS_DENIED",
        "bridge clients may only send to " + AdminCommand.ADDRESS + "; not to '" + address + "'")));
    }
    if (event.type() == BridgeEventType.PUBLISH) {
      return Optional.of(errorFrame(address, replyAddress, new CommandFailure(403, "ACCESS_DENIED",
        AdminCommand.ADDRESS + " is request/reply: send it, do not publish it")));
    }
    AdminToken.Verdict verdict = token.check(authorization(raw.getValue("headers")));
    if (verdict != AdminToken.Verdict.ALLOWED) {
      return Optional.of(errorFrame(address, replyAddress, AdminToken.refusal(verdict)));
    }
    raw.remove("headers"); // the bridges read the message after the guard, from this same object
    return Optional.empty();
  }

  /** Header names are case-insensitive in HTTP; bridge clients write them either way. */
  private static String authorization(Object headers) {
    if (headers instanceof JsonObject json) {
      for (String name : json.fieldNames()) {
        if (AUTHORIZATION.equalsIgnoreCase(name) && json.getValue(name) instanceof String value) {
          return value;
        }
      }
    }
    return null;
  }

  /**
   * Shaped like a failed reply (the bridges' own {@code err} frame), addressed to the request's
   * reply address when it has one, so a waiting client fails at once with the reason instead of
   * timing out.
   */
  static JsonObject errorFrame(String address, String replyAddress, CommandFailure failure) {
    JsonObject frame = new JsonObject().put("type", "err").put("sourceAddress", address)
      .put("failureCode", failure.status()).put("failureType", "RECIPIENT_FAILURE")
      .put("message", failure.asReplyMessage());
    return replyAddress == null ? frame : frame.put("address", replyAddress);
  }
}
