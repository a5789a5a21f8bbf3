package dev.sluice.gateway.config;

/**
 * HTTP/2 on the client-facing listener, offered by ALPN next to HTTP/1.1 when TLS is on (never
 * in cleartext: h2c would sniff the first bytes before the strict HTTP/1 decoder is in place).
 *
 * @param maxConcurrentStreams the SETTINGS_MAX_CONCURRENT_STREAMS each client connection is given
 */
public record Http2Options(boolean enabled, int maxConcurrentStreams) {
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;
  public static final Http2Options DEFAULT = new Http2Options(true, DEFAULT_MAX_CONCURRENT_STREAMS);
}
