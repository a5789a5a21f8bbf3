package dev.sluice.gateway.config;

/**
 * The admin listener; {@code token} is null when writes are disabled.
 *
 * @param bridgePort the TCP event-bus bridge's port on {@code host}; 0 (the default) leaves it off
 */
public record AdminOptions(String host, int port, String token, int bridgePort) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 9090;
  public static final int BRIDGE_OFF = 0;

  public AdminOptions(String host, int port, String token) {
    this(host, port, token, BRIDGE_OFF);
  }

  public boolean bridgeOn() {
    return bridgePort != BRIDGE_OFF;
  }
}
