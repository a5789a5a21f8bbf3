package dev.sluice.gateway.trace;

import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.vertx.core.MultiMap;

/** Vert.x headers as the carrier W3C trace context is read from and written into. */
final class HeaderCarrier implements TextMapGetter<MultiMap>, TextMapSetter<MultiMap> {
  static final HeaderCarrier INSTANCE = new HeaderCarrier();

  private HeaderCarrier() {
  }

  @Override
  public Iterable<String> keys(MultiMap headers) {
    return headers.names();
  }

  @Override
  public String get(MultiMap headers, String key) {
    return headers == null ? null : headers.get(key);
  }

  @Override
  public void set(MultiMap headers, String key, String value) {
    if (headers != null) {
      headers.set(key, value);
    }
  }
}
