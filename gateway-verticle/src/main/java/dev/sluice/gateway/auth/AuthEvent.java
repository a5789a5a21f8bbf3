package dev.sluice.gateway.auth;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * A change to consumers that nodes must hear at once, published on {@link #ADDRESS} by the admin that made
 * it: every gateway instance drops what it cached for those keys, so a revoked key stops working everywhere
 * as soon as the message arrives, not when a cache entry runs out.
 *
 * @param digests SHA-256 of the keys concerned (never a key); for a deleted consumer, all of its keys
 */
public record AuthEvent(Kind kind, String consumer, List<String> digests) {
  public static final String ADDRESS = "sluice.auth.events";

  public enum Kind {
    KEY_REVOKED,
    CONSUMER_DELETED
  }

  public AuthEvent {
    digests = List.copyOf(digests);
  }

  public JsonObject toJson() {
    return new JsonObject().put("kind", kind.name()).put("consumer", consumer).put("digests", new JsonArray(new ArrayList<>(digests)));
  }

  /** @return null for a message that is not an auth event (the bus is shared; a receiver never trusts a sender) */
  public static AuthEvent fromJson(Object body) {
    if (!(body instanceof JsonObject json) || !(json.getValue("consumer") instanceof String consumer)) {
      return null;
    }
    Kind kind;
    try {
      kind = Kind.valueOf(String.valueOf(json.getValue("kind")));
    } catch (IllegalArgumentException e) {
      return null;
    }
    List<String> digests = new ArrayList<>();
    if (json.getValue("digests") instanceof JsonArray array) {
      array.forEach(d -> {
        if (d instanceof String s) {
          digests.add(s);
        }
      });
    }
    return new AuthEvent(kind, consumer, digests);
  }
}
