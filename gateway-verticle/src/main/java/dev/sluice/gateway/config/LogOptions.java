package dev.sluice.gateway.config;

public record LogOptions(LogFormat format, boolean access) {
  public static final LogFormat DEFAULT_FORMAT = LogFormat.JSON;
  public static final boolean DEFAULT_ACCESS = true;
}
