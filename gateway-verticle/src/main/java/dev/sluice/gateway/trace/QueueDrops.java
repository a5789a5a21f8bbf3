package dev.sluice.gateway.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.MetricDataType;
import io.opentelemetry.sdk.metrics.export.CollectionRegistration;
import io.opentelemetry.sdk.metrics.export.MetricReader;

/**
 * Reads back what the batch span processor says of itself: the spans it dropped because its queue
 * was full (a collector slower than the traffic). The processor reports that only as an OpenTelemetry
 * metric, so the node gives it a meter provider with this one reader, read when Prometheus scrapes.
 */
final class QueueDrops implements MetricReader {
  /** The batch span processor's own counter ("legacy" internal telemetry, the SDK's default). */
  private static final String PROCESSED = "processedSpans";
  private static final AttributeKey<Boolean> DROPPED = AttributeKey.booleanKey("dropped");

  private volatile CollectionRegistration registration = CollectionRegistration.noop();

  long dropped() {
    long dropped = 0;
    for (MetricData metric : registration.collectAllMetrics()) {
      if (PROCESSED.equals(metric.getName()) && metric.getType() == MetricDataType.LONG_SUM) {
        for (LongPointData point : metric.getLongSumData().getPoints()) {
          if (Boolean.TRUE.equals(point.getAttributes().get(DROPPED))) {
            dropped += point.getValue();
          }
        }
      }
    }
    return dropped;
  }

  @Override
  public void register(CollectionRegistration registration) {
    this.registration = registration;
  }

  @Override
  public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
    return AggregationTemporality.CUMULATIVE;
  }

  @Override
  public CompletableResultCode forceFlush() {
    return CompletableResultCode.ofSuccess();
  }

  @Override
  public CompletableResultCode shutdown() {
    registration = CollectionRegistration.noop();
    return CompletableResultCode.ofSuccess();
  }
}
