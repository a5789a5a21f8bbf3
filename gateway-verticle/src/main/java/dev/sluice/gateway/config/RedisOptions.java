package dev.sluice.gateway.config;

/** Where the limiter keeps its windows and how it behaves when Redis fails. */
public record RedisOptions(String url, long timeoutMs, LimiterFailureMode onFailure) {
  public static final String DEFAULT_URL = "redis://127.0.0.1:6379";
  public static final long DEFAULT_TIMEOUT_MS = 50;
  public static final LimiterFailureMode DEFAULT_ON_FAILURE = LimiterFailureMode.LOCAL;
}
