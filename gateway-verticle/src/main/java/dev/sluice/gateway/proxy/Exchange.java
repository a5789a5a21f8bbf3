package dev.sluice.gateway.proxy;

import dev.sluice.gateway.cache.BodyCapture;
import dev.sluice.gateway.circuit.Admission;
import dev.sluice.gateway.client.ClientIdentityResolver;
import dev.sluice.gateway.circuit.RouteCircuit;
import dev.sluice.gateway.error.GatewayError;
import dev.sluice.gateway.route.Route;
import dev.sluice.gateway.trace.RequestTrace;
import dev.sluice.gateway.upstream.RouteTargets;
import dev.sluice.gateway.upstream.Target;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import dev.sluice.gateway.limit.RateLimitDecision;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.function.Consumer;
import dev.sluice.gateway.auth.AuthOutcome;
import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.MultiMap;

/**
 * One client request on its way through the stages, and what the stages learned about it. It
 * walks the stage list with an index, the way vertx-http-proxy's context walks its interceptors.
 */
public final class Exchange {
  private final HttpServerRequest request;
  private final String requestId;
  private final String path;
  private final long startNanos;
  private final List<GatewayStage> stages;
  private final boolean carriesBody;
  private final RequestTrace trace;
  private int nextStage;
  private String peerHost;

  private Route route;
  private RouteCircuit circuit;
  private RouteTargets targets;
  private Target target;
  private boolean upgrade;
  private long bodyLength = -1;
  private String client;
  private RateLimitDecision rateLimit;
  private int attempts;
  private String retrySkipped;
  private Admission admission = Admission.CALL;
  private GatewayError error;
  private CutShort cutShort;
  private AuthOutcome.Caller caller;
  private RateLimitPolicy ownLimit;
  private CacheResult cacheResult;
  private BodyCapture capture;
  private Consumer<MultiMap> upstreamHeaders = headers -> { };

  Exchange(HttpServerRequest request, String requestId, String path, List<GatewayStage> stages) {
    this(request, requestId, path, stages, RequestTrace.OFF);
  }

  Exchange(HttpServerRequest request, String requestId, String path, List<GatewayStage> stages, RequestTrace trace) {
    this.request = request;
    this.trace = trace;
    this.requestId = requestId;
    this.path = path;
    this.stages = stages;
    this.startNanos = System.nanoTime();
    this.carriesBody = carriesBody(request);
  }

  /** Hands the exchange to the next stage. */
  public Future<ProxyReply> proceed() {
    if (nextStage >= stages.size()) {
      return Future.failedFuture(new IllegalStateException("the last stage must answer"));
    }
    return stages.get(nextStage++).handle(this);
  }

  public HttpServerRequest request() {
    return request;
  }

  public String requestId() {
    return requestId;
  }

  /** The TCP peer's address as text: made once, for the client stage and the forwarded headers both. */
  public String peerHost() {
    if (peerHost == null) {
      peerHost = ClientIdentityResolver.peerHost(request);
    }
    return peerHost;
  }

  /** The normalised path: what routing and forwarding use. */
  public String path() {
    return path;
  }

  public long startNanos() {
    return startNanos;
  }

  /** The request's spans ({@link RequestTrace#OFF} with tracing off). */
  public RequestTrace trace() {
    return trace;
  }

  /** @return the rate limit's answer for this request, which every answer to it reports; null before the limit stage */
  public RateLimitDecision rateLimit() {
    return rateLimit;
  }

  void rateLimit(RateLimitDecision rateLimit) {
    this.rateLimit = rateLimit;
  }

  /** @return the matched route, or null before routing or when none matched */
  public Route route() {
    return route;
  }

  void route(Route route, RouteCircuit circuit, RouteTargets targets) {
    this.route = route;
    this.circuit = circuit;
    this.targets = targets;
  }

  /** @return the matched route's targets, from the same routing as {@link #route()} */
  public RouteTargets targets() {
    return targets;
  }

  /** @return the target of the last attempt, or null before the first */
  public Target target() {
    return target;
  }

  void target(Target target) {
    this.target = target;
  }

  /** @return the matched route's circuit, from the same routing as {@link #route()} */
  public RouteCircuit circuit() {
    return circuit;
  }

  /** Whether the client sends a body after the head (one that must be read, or the connection closed). */
  public boolean carriesBody() {
    return carriesBody;
  }

  private static boolean carriesBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return (length != null && !"0".equals(length.trim())) || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  /** A WebSocket handshake ({@code Connection: Upgrade}, {@code Upgrade: websocket}): answered by a tunnel. */
  public boolean upgrade() {
    return upgrade;
  }

  void upgrade(boolean upgrade) {
    this.upgrade = upgrade;
  }

  /** @return the declared Content-Length, or -1 when the body is chunked or absent */
  public long bodyLength() {
    return bodyLength;
  }

  void bodyLength(long bodyLength) {
    this.bodyLength = bodyLength;
  }

  /** @return who the rate limit counts this request against */
  public String client() {
    return client;
  }

  void client(String client) {
    this.client = client;
  }

  /** Whether the circuit let this request through as a normal call or as the probe. */
  public Admission admission() {
    return admission;
  }

  void admission(Admission admission) {
    this.admission = admission;
  }

  public int attempts() {
    return attempts;
  }

  void countAttempt() {
    attempts++;
  }

  /** @return why a retry the route wanted was not made (the body streamed), or null */
  public String retrySkipped() {
    return retrySkipped;
  }

  void retrySkipped(String reason) {
    this.retrySkipped = reason;
  }

  /** @return the error Sluice answered with, or null when the answer was the upstream's */
  public GatewayError error() {
    return error;
  }

  void error(GatewayError error) {
    this.error = error;
  }

  /** @return who cut the answer short, or null when it went out whole */
  public CutShort cutShort() {
    return cutShort;
  }

  /**
   * Records why the answer broke off, unless a cause is known already: the first one seen is the
   * one that happened, the later ones follow from it.
   *
   * @return the cause that stands
   */
  CutShort cutShort(CutShort cause) {
    if (cutShort == null) {
      cutShort = cause;
    }
    return cutShort;
  }

  /** @return who the credentials say called (for the access log), or null on a route without auth */
  public AuthOutcome.Caller caller() {
    return caller;
  }

  void caller(AuthOutcome.Caller caller) {
    this.caller = caller;
  }

  /** The limit this request counts against: the caller's own for the route (a consumer's), else the route's. */
  public RateLimitPolicy rateLimitPolicy() {
    return ownLimit != null ? ownLimit : route.policy().rateLimit();
  }

  void ownLimit(RateLimitPolicy limit) {
    this.ownLimit = limit;
  }

  /** @return what the route's cache did with this request, or null when the route has no cache */
  public CacheResult cacheResult() {
    return cacheResult;
  }

  void cacheResult(CacheResult result) {
    this.cacheResult = result;
  }

  /** @return who keeps a copy of the answer's body as it is relayed (a cache fill), or null */
  BodyCapture capture() {
    return capture;
  }

  void capture(BodyCapture capture) {
    this.capture = capture;
  }

  /**
   * Applied to each attempt's headers after the client's were copied: the claims auth forwards
   * (and the client copies it strips), then the cache's conditional headers when it revalidates.
   */
  Consumer<MultiMap> upstreamHeaders() {
    return upstreamHeaders;
  }

  /** Adds an edit after those already set: auth's and the cache's both apply, in the pipeline's order. */
  void upstreamHeaders(Consumer<MultiMap> edit) {
    this.upstreamHeaders = this.upstreamHeaders.andThen(edit);
  }
}
