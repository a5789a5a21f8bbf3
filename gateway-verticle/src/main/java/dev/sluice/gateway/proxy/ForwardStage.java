package dev.sluice.gateway.proxy;

import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.error.GatewayException;
import dev.sluice.gateway.metrics.GatewayMetrics;
import dev.sluice.gateway.retry.ReplayBuffer;
import dev.sluice.gateway.retry.RetryPlan;
import dev.sluice.gateway.retry.RetryingCall;
import dev.sluice.gateway.route.Route;
import dev.sluice.gateway.upstream.HopByHopHeaders;
import dev.sluice.gateway.upstream.RequestAbortedException;
import dev.sluice.gateway.upstream.RequestBody;
import dev.sluice.gateway.upstream.RouteTargets;
import dev.sluice.gateway.upstream.Target;
import dev.sluice.gateway.upstream.UpstreamClient;
import dev.sluice.gateway.upstream.UpstreamOutcome;
import dev.sluice.gateway.upstream.UpstreamRequest;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;

/**
 * The last stage: sends the request upstream through the route's circuit, retrying as the route
 * allows ({@link RetryingCall}), and hands on the upstream's answer head, whatever its status,
 * with its body still on the wire; or fails with 502 UPSTREAM_UNAVAILABLE / 504 UPSTREAM_TIMEOUT, or
 * 503 UPSTREAM_BUSY when the request never got a pooled connection in time.
 */
final class ForwardStage implements GatewayStage {
  /** Set by us, or by the client from the body we send. */
  private static final List<String> REQUEST_SKIP = List.of("host", "content-length", "expect", "x-request-id");

  /** A pool queue drains in well under a second when the upstream is healthy. */
  private static final long BUSY_RETRY_AFTER_S = 1;

  private final Vertx vertx;
  private final UpstreamClient client;
  private final GatewayMetrics metrics;
  private final long maxBodyBytes;

  ForwardStage(Vertx vertx, UpstreamClient client, GatewayMetrics metrics, long maxBodyBytes) {
    this.vertx = vertx;
    this.client = client;
    this.metrics = metrics;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    Route route = exchange.route();
    HttpServerRequest request = exchange.request();
    RetryPlan plan = route.retryPlan();
    boolean maySendTwice = plan.rule().maySendTwice(request.method(), request.headers());
    return body(exchange, plan, maySendTwice).compose(body -> {
      UpstreamRequest upstream = upstreamRequest(exchange, route, body);
      RouteTargets targets = exchange.targets();
      List<Target> tried = new ArrayList<>(plan.options().maxAttempts());
      RetryingCall call = new RetryingCall(vertx, plan, exchange.circuit(), exchange.admission(), maySendTwice, body,
        () -> attempt(exchange, upstream, tried))
        .retryingWhile(targets::anyAvailable);
      return call.run().andThen(ar -> {
        if (call.skipped() != null) {
          exchange.retrySkipped(call.skipped());
          metrics.retrySkipped(route.name(), call.skipped());
        }
      });
    }).compose(ForwardStage::toReply);
  }

  /** One attempt, to the target the balancer picks: one this request has not tried yet, when there is one. */
  private Future<UpstreamOutcome> attempt(Exchange exchange, UpstreamRequest upstream, List<Target> tried) {
    exchange.countAttempt();
    RouteTargets targets = exchange.targets();
    Target target = targets.pick(tried);
    if (target == null) {
      // Every target went out since the targets stage looked: what a dead upstream would be.
      return Future.succeededFuture(UpstreamOutcome.failure(new ConnectException("no healthy target left")));
    }
    tried.add(target);
    exchange.target(target);
    String route = exchange.route().name();
    if (exchange.trace().on()) {
      exchange.trace().attemptStarted(exchange.request().method().name(), exchange.attempts(),
        () -> TraceAttributes.attempt(exchange, target));
    }
    return client.send(upstream, target).andThen(ar -> {
      UpstreamOutcome outcome = ar.result();
      if (exchange.trace().recording()) {
        exchange.trace().attemptEnded(outcome.response() == null ? 0 : outcome.response().statusCode(),
          TraceAttributes.errorType(outcome), outcome.isFailure(exchange.route().policy().circuit().failureStatuses()));
      } else {
        exchange.trace().attemptEnded(0, null, false);
      }
      targets.finished(target, outcome);
      metrics.attempt(route, target.name(), outcome);
    });
  }

  private Future<RequestBody> body(Exchange exchange, RetryPlan plan, boolean maySendTwice) {
    HttpServerRequest request = exchange.request();
    if (exchange.upgrade() || !exchange.carriesBody()) {
      return Future.succeededFuture(RequestBody.none());
    }
    return ReplayBuffer.read(request, exchange.bodyLength(), plan.options().bufferBytes(), maxBodyBytes, maySendTwice);
  }

  private UpstreamRequest upstreamRequest(Exchange exchange, Route route, RequestBody body) {
    HttpServerRequest request = exchange.request();
    String pathAndQuery = route.forwardedPath(exchange.path(), request.query());
    return new UpstreamRequest(request.method(), pathAndQuery, headers -> forwardedHeaders(exchange, headers), body,
      route.policy().timeoutMs(), exchange.upgrade());
  }

  /** The client's end-to-end headers, the X-Forwarded-* and the request id: what every attempt sends. */
  private static void forwardedHeaders(Exchange exchange, MultiMap headers) {
    HttpServerRequest request = exchange.request();
    HopByHopHeaders.copyEndToEnd(request.headers(), headers, REQUEST_SKIP);
    ForwardedHeaders.apply(request, exchange.peerHost(), headers);
    headers.set(RequestIds.HEADER, exchange.requestId());
    exchange.upstreamHeaders().accept(headers);
    exchange.trace().propagate(headers);
    if (exchange.upgrade()) {
      headers.set(HttpHeaders.CONNECTION, "Upgrade");
      headers.set(UpgradeStage.UPGRADE, "websocket");
    }
  }

  private static Future<ProxyReply> toReply(UpstreamOutcome outcome) {
    return switch (outcome.kind()) {
      case RESPONSE -> Future.succeededFuture(new ProxyReply(outcome.response()));
      case TIMEOUT -> Future.failedFuture(GatewayException.of(GatewayError.UPSTREAM_TIMEOUT,
        "upstream did not answer in time"));
      case CONNECT_FAILURE -> Future.failedFuture(GatewayException.of(GatewayError.UPSTREAM_UNAVAILABLE,
        "upstream unavailable"));
      case REQUEST_ABORTED -> Future.failedFuture(aborted((RequestAbortedException) outcome.cause()));
      case BUSY -> Future.failedFuture(GatewayException.retryAfter(GatewayError.UPSTREAM_BUSY,
        "no connection to the upstream came free within http.poolWaitMs", BUSY_RETRY_AFTER_S));
    };
  }

  private static GatewayException aborted(RequestAbortedException cause) {
    return cause.tooLarge()
      ? GatewayException.of(GatewayError.PAYLOAD_TOO_LARGE, cause.getMessage())
      : GatewayException.of(GatewayError.BAD_REQUEST, "request body ended early");
  }
}
