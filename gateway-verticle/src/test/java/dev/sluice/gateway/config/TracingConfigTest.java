package dev.sluice.gateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code tracing} section: off by default, on with an endpoint (or OTEL_EXPORTER_OTLP_ENDPOINT), checked field by field. */
class TracingConfigTest {
  @Test
  void tracingIsOffWithoutAnEndpoint() {
    assertFalse(parse(new JsonObject()).tracing().enabled());
    assertFalse(parse(new JsonObject().put("tracing", new JsonObject().put("sampleRatio", 0.5))).tracing().enabled());
  }

  @Test
  void anEndpointTurnsItOnWithTheDefaults() {
    TracingOptions tracing = parse(new JsonObject().put("tracing",
      new JsonObject().put("otlpEndpoint", "http://otel-collector:4318"))).tracing();
    assertTrue(tracing.enabled());
    assertEquals("http://otel-collector:4318/v1/traces", tracing.tracesUrl());
    assertEquals(1.0, tracing.sampleRatio());
    assertEquals("sluice", tracing.serviceName());
    assertEquals(TrustIncoming.TRUSTED, tracing.trustIncoming());
  }

  @Test
  void anEndpointThatNamesTheTracesPathIsUsedAsItIs() {
    assertEquals("https://c:4318/v1/traces",
      new TracingOptions(new JsonObject().put("otlpEndpoint", "https://c:4318/v1/traces")).tracesUrl());
  }

  @Test
  void everyBadFieldIsNamed() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(new JsonObject().put("tracing", new JsonObject()
      .put("otlpEndpoint", "otel-collector:4318").put("sampleRatio", 1.5).put("serviceName", " ")
      .put("trustIncoming", "some").put("sampleRate", 1))));
    assertEquals(List.of(
      "tracing.otlpEndpoint: not an absolute http(s) URL",
      "tracing.sampleRatio: must be between 0 and 1",
      "tracing.serviceName: must not be empty",
      "tracing.trustIncoming: must be one of trusted, all, none",
      "tracing.sampleRate: unknown key (did you mean sampleRatio?)"), e.problems());
  }

  @Test
  void theJsonConstructorChecksTheSameWay() {
    ConfigException e = assertThrows(ConfigException.class,
      () -> new TracingOptions(new JsonObject().put("sampleRatio", -0.1)));
    assertEquals(List.of("tracing.sampleRatio: must be >= 0"), e.problems());
  }

  @Test
  void openTelemetrysOwnVariablesTurnItOnAndNameTheService() {
    JsonObject json = base();
    Map<String, String> origins = EnvOverrides.apply(json,
      Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/", "OTEL_SERVICE_NAME", "edge"));
    TracingOptions tracing = ConfigParser.parse(json, origins).tracing();
    assertEquals("http://collector:4318/v1/traces", tracing.tracesUrl());
    assertEquals("edge", tracing.serviceName());
  }

  @Test
  void aBadVariableIsReportedUnderItsName() {
    JsonObject json = base();
    Map<String, String> origins = EnvOverrides.apply(json, Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "collector"));
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(json, origins));
    assertEquals(List.of("OTEL_EXPORTER_OTLP_ENDPOINT: not an absolute http(s) URL"), e.problems());
  }

  @Test
  void theSectionRoundTripsThroughConfigJson() {
    SluiceConfig config = parse(new JsonObject().put("tracing", new JsonObject().put("otlpEndpoint", "http://c:4318")
      .put("sampleRatio", 0.25).put("serviceName", "gw").put("trustIncoming", "none")));
    assertEquals(config.tracing(), ConfigParser.parse(ConfigJson.toJson(config)).tracing());
  }

  private static SluiceConfig parse(JsonObject extra) {
    return ConfigParser.parse(base().mergeIn(extra));
  }

  private static JsonObject base() {
    return new JsonObject().put("routes", new JsonArray()
      .add(new JsonObject().put("name", "a").put("prefix", "/a").put("upstream", "http://127.0.0.1:5001")));
  }
}
