package dev.sluice.gateway.config;

import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The environment variables that override single config keys (docs/architecture.md, "Command line"). They are applied to
 * the JSON before it is validated, so a bad value is checked like any other, and reported under the variable's
 * name: {@code SLUICE_HTTP_PORT: must be an integer}. An empty variable counts as unset, as compose files pass
 * {@code ${VAR:-}} through.
 */
final class EnvOverrides {
  private record Override(String variable, String section, String key, boolean integer) {
    String path() {
      return section + "." + key;
    }
  }

  private static final List<Override> OVERRIDES = List.of(
      new Override("SLUICE_HTTP_PORT", "http", "port", true),
      new Override("SLUICE_ADMIN_PORT", "admin", "port", true),
      new Override("SLUICE_REDIS_URL", "redis", "url", false),
      new Override("SLUICE_ADMIN_TOKEN", "admin", "token", false),
      new Override("SLUICE_ADMIN_BRIDGE_PORT", "admin", "bridgePort", true),
      new Override("SLUICE_LOG_FORMAT", "log", "format", false),
      new Override("SLUICE_TLS_CERT", "http.tls", "cert", false),
      new Override("SLUICE_TLS_KEY", "http.tls", "key", false),
      // OpenTelemetry's own names, as every SDK reads them: the base URL (/v1/traces is added) and the service.
      new Override("OTEL_EXPORTER_OTLP_ENDPOINT", "tracing", "otlpEndpoint", false),
      new Override("OTEL_SERVICE_NAME", "tracing", "serviceName", false));
  private static final Pattern INTEGER = Pattern.compile("-?[0-9]{1,18}");

  private EnvOverrides() {
  }

  /**
   * Writes the overrides into {@code json} (the caller's own copy).
   *
   * @return field path → variable name, for each override applied, to name the variable in problems
   */
  static Map<String, String> apply(JsonObject json, Map<String, String> env) {
    Map<String, String> origins = new HashMap<>();
    for (Override override : OVERRIDES) {
      String text = env.get(override.variable());
      if (text == null || text.isBlank()) {
        continue; // and no section is made for it: an empty http.tls would ask for TLS
      }
      JsonObject section = section(json, override.section());
      if (section == null) {
        continue; // a section that is not an object is reported by the parser under its own path
      }
      section.put(override.key(), override.integer() ? integerOrText(text.trim()) : text.trim());
      origins.put(override.path(), override.variable());
    }
    return origins;
  }

  /** The object at a dotted path ({@code http.tls}), created where absent. */
  private static JsonObject section(JsonObject json, String path) {
    JsonObject section = json;
    for (String name : path.split("\\.")) {
      Object value = section.getValue(name);
      if (value == null) {
        JsonObject created = new JsonObject();
        section.put(name, created);
        section = created;
      } else if (value instanceof JsonObject object) {
        section = object;
      } else {
        return null;
      }
    }
    return section;
  }

  /** Text that is no number stays text, so the parser reports it as "must be an integer". */
  private static Object integerOrText(String text) {
    return INTEGER.matcher(text).matches() ? (Object) Long.parseLong(text) : text;
  }
}
