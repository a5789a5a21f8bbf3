package dev.sluice.gateway.config;

import java.util.List;

/**
 * A configuration a user must fix. Each problem is one line that starts with the field path,
 * e.g. {@code routes[1].upstream: not an absolute http(s) URL}.
 */
public final class ConfigException extends RuntimeException {
  private final List<String> problems;

  public ConfigException(List<String> problems) {
    super(String.join("\n", problems), null, false, false);
    this.problems = List.copyOf(problems);
  }

  /** A configuration with exactly one problem, e.g. {@code config: cannot read gateway.yaml}. */
  public static ConfigException of(String problem) {
    return new ConfigException(List.of(problem));
  }

  public List<String> problems() {
    return problems;
  }
}
