package dev.sluice.gateway.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;

/** Reads the {@code tracing} section; absent, or without an endpoint, is tracing off. */
final class TracingReader {
  static final String SECTION = "tracing";

  private TracingReader() {
  }

  static TracingOptions read(ConfigValue value) {
    if (!value.isSet()) {
      return TracingOptions.OFF;
    }
    ConfigNode node = value.object();
    ConfigValue endpoint = node.value("otlpEndpoint");
    String url = endpoint.string().map(String::trim).filter(text -> !text.isEmpty())
      .flatMap(text -> httpUrl(text, endpoint)).orElse(null);
    ConfigValue ratio = node.value("sampleRatio");
    double sampleRatio = ratio.number(0).orElse(TracingOptions.DEFAULT_SAMPLE_RATIO);
    if (sampleRatio > 1) {
      ratio.problem("must be between 0 and 1");
      sampleRatio = TracingOptions.DEFAULT_SAMPLE_RATIO;
    }
    ConfigValue name = node.value("serviceName");
    String serviceName = name.string().map(String::trim).orElse(TracingOptions.DEFAULT_SERVICE_NAME);
    if (serviceName.isEmpty()) {
      name.problem("must not be empty");
      serviceName = TracingOptions.DEFAULT_SERVICE_NAME;
    }
    TrustIncoming trust = node.oneOf("trustIncoming", TrustIncoming.class, TracingOptions.DEFAULT_TRUST_INCOMING);
    node.rejectUnknownKeys();
    return new TracingOptions(url, sampleRatio, serviceName, trust);
  }

  /** An absolute http(s) URL with a host: the exporter would only find out at its first export. */
  private static Optional<String> httpUrl(String text, ConfigValue value) {
    try {
      URI uri = new URI(text);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
        return Optional.of(text);
      }
    } catch (URISyntaxException e) {
      // reported below, as any other text that is no URL
    }
    value.problem("not an absolute http(s) URL");
    return Optional.empty();
  }
}
