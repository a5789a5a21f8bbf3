package dev.sluice.gateway.proxy;

import dev.sluice.gateway.circuit.Admission;
import dev.sluice.gateway.circuit.RouteCircuit;
import dev.sluice.gateway.route.Route;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;

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
  private final MultiMap replyHeaders = MultiMap.caseInsensitiveMultiMap();
  private int nextStage;

  private Route route;
  private RouteCircuit circuit;
  private Buffer body;
  private String client;
  private int attempts;
  private Admission admission = Admission.CALL;

  Exchange(HttpServerRequest request, String requestId, String path, List<GatewayStage> stages) {
    this.request = request;
    this.requestId = requestId;
    this.path = path;
    this.stages = stages;
    this.startNanos = System.nanoTime();
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

  /** The normalised path: what routing and forwarding use. */
  public String path() {
    return path;
  }

  public long startNanos() {
    return startNanos;
  }

  /** Headers every answer to this request carries, the upstream's or Sluice's own (rate-limit headers). */
  public MultiMap replyHeaders() {
    return replyHeaders;
  }

  /** @return the matched route, or null before routing or when none matched */
  public Route route() {
    return route;
  }

  void route(Route route, RouteCircuit circuit) {
    this.route = route;
    this.circuit = circuit;
  }

  /** @return the matched route's circuit, from the same routing as {@link #route()} */
  public RouteCircuit circuit() {
    return circuit;
  }

  /** @return the request body, or null when the client sent none */
  public Buffer body() {
    return body;
  }

  void body(Buffer body) {
    this.body = body;
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
}
