package dev.sluice.gateway.config;

import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The {@code tracing} section: where the node exports its spans (OTLP over HTTP), how many traces it
 * samples, the service name they carry and whose incoming trace context it adopts. Off unless an
 * endpoint is given (in the file or as {@code OTEL_EXPORTER_OTLP_ENDPOINT}).
 *
 * @param otlpEndpoint the collector's base URL ({@code http://otel-collector:4318}); spans go to its
 *                     {@code /v1/traces}, as OTLP/HTTP's {@code OTEL_EXPORTER_OTLP_ENDPOINT} means it; null = off
 * @param sampleRatio  the share of new traces sampled, 0 to 1; a trace begun upstream (a parent we adopted)
 *                     keeps its caller's decision
 */
public record TracingOptions(String otlpEndpoint, double sampleRatio, String serviceName, TrustIncoming trustIncoming) {
  /** Every trace, as the OpenTelemetry SDK's own default: an operator who turns tracing on wants to see it work. */
  public static final double DEFAULT_SAMPLE_RATIO = 1.0;
  public static final String DEFAULT_SERVICE_NAME = "sluice";
  public static final TrustIncoming DEFAULT_TRUST_INCOMING = TrustIncoming.TRUSTED;
  public static final TracingOptions OFF = new TracingOptions(null, DEFAULT_SAMPLE_RATIO, DEFAULT_SERVICE_NAME,
    DEFAULT_TRUST_INCOMING);
  private static final String TRACES_PATH = "/v1/traces";

  /**
   * The section as the config file has it, validated alone (what {@link ConfigParser} does for the whole file).
   *
   * @throws ConfigException naming each bad field as {@code tracing.<key>}
   */
  public TracingOptions(JsonObject json) {
    this(fromJson(json));
  }

  private TracingOptions(TracingOptions read) {
    this(read.otlpEndpoint, read.sampleRatio, read.serviceName, read.trustIncoming);
  }

  private static TracingOptions fromJson(JsonObject json) {
    Problems problems = new Problems(Map.of());
    TracingOptions read = TracingReader.read(new ConfigValue(TracingReader.SECTION, json, problems));
    problems.throwIfAny();
    return read;
  }

  public boolean enabled() {
    return otlpEndpoint != null;
  }

  /** The URL spans are posted to: the endpoint's {@code /v1/traces}, unless it names that path already. */
  public String tracesUrl() {
    if (otlpEndpoint == null || otlpEndpoint.endsWith(TRACES_PATH)) {
      return otlpEndpoint;
    }
    return (otlpEndpoint.endsWith("/") ? otlpEndpoint.substring(0, otlpEndpoint.length() - 1) : otlpEndpoint)
      + TRACES_PATH;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject()
      .put("sampleRatio", sampleRatio)
      .put("serviceName", serviceName)
      .put("trustIncoming", trustIncoming.name().toLowerCase(java.util.Locale.ROOT));
    return otlpEndpoint == null ? json : json.put("otlpEndpoint", otlpEndpoint);
  }
}
