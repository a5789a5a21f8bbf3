package dev.sluice.gateway.config;

/** The admin listener; {@code token} is null when writes are disabled. */
public record AdminOptions(String host, int port, String token) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9090;
}
