package dev.sluice.gateway.auth;

import java.util.Arrays;
import java.util.Optional;

/** A way a route lets callers prove who they are; a route lists one or more, and any one suffices. */
public enum AuthMethod {
  API_KEY("apiKey"),
  JWT("jwt");

  private final String text;

  AuthMethod(String text) {
    this.text = text;
  }

  /** As written in the config: {@code apiKey}, {@code jwt}. */
  public String text() {
    return text;
  }

  public static Optional<AuthMethod> parse(String text) {
    return Arrays.stream(values()).filter(m -> m.text.equalsIgnoreCase(text.trim())).findFirst();
  }
}
