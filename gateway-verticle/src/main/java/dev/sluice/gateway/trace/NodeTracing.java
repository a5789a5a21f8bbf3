package dev.sluice.gateway.trace;

import dev.sluice.gateway.config.TracingOptions;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.time.Duration;
import java.util.List;

/**
 * The node's OpenTelemetry SDK: one tracer provider for every gateway instance of the node, its spans
 * batched and posted to the collector over OTLP/HTTP by the SDK's own thread, never an event loop.
 * The batch queue is bounded: a collector that is down or slow loses spans
 * ({@code sluice_tracing_spans_dropped_total}), never time on a request. Built where the node's
 * Vert.x is built, shut down (flushing what is queued, within a bound) after it closed.
 */
public final class NodeTracing {
  static final String DROPPED = "sluice.tracing.spans.dropped";
  /** An export waits this long at most, connecting included; the batch is dropped after it. */
  static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(3);
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
  /** A span reaches the collector within about this long of its end. */
  static final Duration SCHEDULE_DELAY = Duration.ofSeconds(1);
  static final int MAX_QUEUE = 4096;
  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> SERVICE_INSTANCE = AttributeKey.stringKey("service.instance.id");

  private final TracingOptions options;
  private final Tracer tracer;
  private final SdkTracerProvider provider;
  private final SdkMeterProvider selfMetrics;
  private final ExportFailures exporter;
  private final QueueDrops queueDrops;
  private final MeterRegistry meters;
  private final FunctionCounter dropped;

  private NodeTracing(TracingOptions options, SdkTracerProvider provider, SdkMeterProvider selfMetrics,
                      ExportFailures exporter, QueueDrops queueDrops, MeterRegistry meters) {
    this.options = options;
    this.provider = provider;
    this.tracer = provider == null ? TracerProvider.noop().get("sluice") : provider.get("dev.sluice.gateway");
    this.selfMetrics = selfMetrics;
    this.exporter = exporter;
    this.queueDrops = queueDrops;
    this.meters = meters;
    this.dropped = meters == null ? null : FunctionCounter.builder(DROPPED, this, NodeTracing::droppedSpans)
      .description("Spans lost before they reached the collector: export failed, or the queue was full")
      .register(meters);
  }

  /** Tracing off: a tracer that records nothing, and no thread. */
  public static NodeTracing off() {
    return new NodeTracing(TracingOptions.OFF, null, null, null, null, null);
  }

  /**
   * The node's tracer provider, or {@link #off()} when {@code options} names no endpoint. Nothing is
   * connected here: the exporter connects at its first batch.
   *
   * @param nodeId the node's id, as {@code service.instance.id}
   */
  public static NodeTracing start(TracingOptions options, MeterRegistry meters, String nodeId) {
    if (!options.enabled()) {
      return new NodeTracing(options, null, null, null, null, meters);
    }
    ExportFailures exporter = new ExportFailures(OtlpHttpSpanExporter.builder()
      .setEndpoint(options.tracesUrl())
      .setTimeout(EXPORT_TIMEOUT)
      .setConnectTimeout(CONNECT_TIMEOUT)
      // A retried batch would hold the one export thread while the queue fills: drop it, count it.
      .setRetryPolicy(null)
      .build());
    QueueDrops queueDrops = new QueueDrops();
    SdkMeterProvider selfMetrics = SdkMeterProvider.builder().registerMetricReader(queueDrops).build();
    BatchSpanProcessor batches = BatchSpanProcessor.builder(exporter)
      .setScheduleDelay(SCHEDULE_DELAY)
      .setMaxQueueSize(MAX_QUEUE)
      .setExporterTimeout(EXPORT_TIMEOUT)
      .setMeterProvider(selfMetrics)
      .build();
    SdkTracerProvider provider = SdkTracerProvider.builder()
      .setResource(Resource.getDefault().merge(Resource.create(
        Attributes.of(SERVICE_NAME, options.serviceName(), SERVICE_INSTANCE, nodeId))))
      // A trace begun by a caller we trust keeps its caller's decision; a new one is sampled at the ratio.
      .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(options.sampleRatio())))
      .addSpanProcessor(batches)
      .build();
    return new NodeTracing(options, provider, selfMetrics, exporter, queueDrops, meters);
  }

  public boolean enabled() {
    return provider != null;
  }

  public TracingOptions options() {
    return options;
  }

  Tracer tracer() {
    return tracer;
  }

  /** Spans lost so far: batches the collector did not take, and spans the full queue turned away. */
  public long droppedSpans() {
    return provider == null ? 0 : exporter.lost() + queueDrops.dropped();
  }

  /**
   * Exports what is queued (for at most one export timeout) and stops the export thread. Call once,
   * after the gateway instances stopped; it does not block the caller.
   */
  public Future<Void> shutdown() {
    if (dropped != null) {
      meters.remove(dropped);
    }
    if (provider == null) {
      return Future.succeededFuture();
    }
    Promise<Void> done = Promise.promise();
    CompletableResultCode all = CompletableResultCode.ofAll(List.of(provider.shutdown(), selfMetrics.shutdown()));
    all.whenComplete(() -> done.tryComplete());
    return done.future();
  }
}
