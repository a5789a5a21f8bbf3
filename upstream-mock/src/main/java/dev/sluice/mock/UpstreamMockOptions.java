package dev.sluice.mock;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import java.util.List;

/**
 * Where the upstream-mock listens and how much it keeps. Setters validate at once, so a bad
 * value fails where it is set, with a message naming the field ({@code port: must be between 0
 * and 65535, got 70000}); the JSON constructor goes through the same setters.
 *
 * <p>JSON shape: {@code {"host":"127.0.0.1","port":5001,"maxBodyBytes":16777216,
 * "maxTrackedKeys":100000}}; absent keys keep their defaults, unknown keys are rejected (a typo
 * silently ignored would leave a test running against the wrong port).
 */
public class UpstreamMockOptions {
  public static final String DEFAULT_HOST = "127.0.0.1";
  /** The port the design's route examples point at. 0 means an ephemeral port (tests). */
  public static final int DEFAULT_PORT = 5001;
  /**
   * Vert.x server sharing: servers listening on the same negative port share one random port.
   * Port 0 would give each verticle instance a port of its own.
   */
  public static final int SHARED_EPHEMERAL_PORT = -1;
  /** Largest body {@code /anything} hashes; more is drained and answered 413. */
  public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;
  /**
   * Distinct paths (and distinct request ids, and methods) {@code /__mock/stats} itemises. A
   * benchmark through the gateway sends a fresh {@code X-Request-Id} on every call; without a
   * bound the stats would grow for as long as the benchmark runs.
   */
  public static final int DEFAULT_MAX_TRACKED_KEYS = 100_000;

  private static final int MIN_PORT = -65535;
  private static final List<String> FIELDS = List.of("host", "port", "maxBodyBytes", "maxTrackedKeys");

  private String host = DEFAULT_HOST;
  private int port = DEFAULT_PORT;
  private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
  private int maxTrackedKeys = DEFAULT_MAX_TRACKED_KEYS;

  public UpstreamMockOptions() {
  }

  public UpstreamMockOptions(UpstreamMockOptions other) {
    this.host = other.host;
    this.port = other.port;
    this.maxBodyBytes = other.maxBodyBytes;
    this.maxTrackedKeys = other.maxTrackedKeys;
  }

  /** @throws IllegalArgumentException naming the first bad or unknown field */
  public UpstreamMockOptions(JsonObject json) {
    for (String name : json.fieldNames()) {
      if (!FIELDS.contains(name)) {
        throw new BadInputException(name, "unknown option; known: " + String.join(", ", FIELDS));
      }
    }
    if (json.containsKey("host")) {
      Object host = json.getValue("host");
      if (!(host instanceof String text)) {
        throw new BadInputException("host", "must be a string");
      }
      setHost(text);
    }
    if (json.containsKey("port")) {
      setPort((int) Numbers.wholeFromJson("port", json.getValue("port"), MIN_PORT, 65535));
    }
    if (json.containsKey("maxBodyBytes")) {
      setMaxBodyBytes(Numbers.wholeFromJson("maxBodyBytes", json.getValue("maxBodyBytes"), 0, Long.MAX_VALUE));
    }
    if (json.containsKey("maxTrackedKeys")) {
      setMaxTrackedKeys((int) Numbers.wholeFromJson("maxTrackedKeys", json.getValue("maxTrackedKeys"), 0, Integer.MAX_VALUE));
    }
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("host", host)
        .put("port", port)
        .put("maxBodyBytes", maxBodyBytes)
        .put("maxTrackedKeys", maxTrackedKeys);
  }

  public String getHost() {
    return host;
  }

  public UpstreamMockOptions setHost(String host) {
    if (host == null || host.isBlank()) {
      throw new BadInputException("host", "must not be blank");
    }
    this.host = host;
    return this;
  }

  /**
   * 1..65535 a fixed port; 0 an ephemeral port of this server's own; negative, a random port
   * shared by every server in this Vert.x instance given the same negative number (see
   * {@link #SHARED_EPHEMERAL_PORT}).
   */
  public int getPort() {
    return port;
  }

  public UpstreamMockOptions setPort(int port) {
    this.port = (int) Numbers.checkRange("port", port, MIN_PORT, 65535);
    return this;
  }

  public long getMaxBodyBytes() {
    return maxBodyBytes;
  }

  public UpstreamMockOptions setMaxBodyBytes(long maxBodyBytes) {
    this.maxBodyBytes = Numbers.checkRange("maxBodyBytes", maxBodyBytes, 0, Long.MAX_VALUE);
    return this;
  }

  public int getMaxTrackedKeys() {
    return maxTrackedKeys;
  }

  public UpstreamMockOptions setMaxTrackedKeys(int maxTrackedKeys) {
    this.maxTrackedKeys = (int) Numbers.checkRange("maxTrackedKeys", maxTrackedKeys, 0, Integer.MAX_VALUE);
    return this;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UpstreamMockOptions other
        && host.equals(other.host)
        && port == other.port
        && maxBodyBytes == other.maxBodyBytes
        && maxTrackedKeys == other.maxTrackedKeys;
  }

  @Override
  public int hashCode() {
    return Objects.hash(host, port, maxBodyBytes, maxTrackedKeys);
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
