package dev.sluice.gateway.trace;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;

import java.util.Collection;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The exporter, counting the spans of every batch it could not deliver (a collector that refuses,
 * times out or answers an error): those spans are gone, since the exporter does not retry.
 */
final class ExportFailures implements SpanExporter {
  private final SpanExporter delegate;
  private final AtomicLong lost = new AtomicLong();

  ExportFailures(SpanExporter delegate) {
    this.delegate = delegate;
  }

  long lost() {
    return lost.get();
  }

  @Override
  public CompletableResultCode export(Collection<SpanData> spans) {
    int count = spans.size();
    CompletableResultCode result = delegate.export(spans);
    result.whenComplete(() -> {
      if (!result.isSuccess()) {
        lost.addAndGet(count);
      }
    });
    return result;
  }

  @Override
  public CompletableResultCode flush() {
    return delegate.flush();
  }

  @Override
  public CompletableResultCode shutdown() {
    return delegate.shutdown();
  }
}
