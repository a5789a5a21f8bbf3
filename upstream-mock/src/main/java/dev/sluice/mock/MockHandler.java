package dev.sluice.mock;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * The whole request path of one verticle instance, top to bottom: control calls go to
 * {@link ControlApi}; every other call is counted, passed through the fault settings to its
 * endpoint, and its reply (or failure, as JSON) written once. All state here belongs to one
 * instance and is touched only from its event loop, so nothing is synchronised.
 */
final class MockHandler implements Handler<HttpServerRequest> {
  private final CallStats stats;
  private final FaultInjector faults;
  private final EndpointTable endpoints;
  private final ControlApi control;

  MockHandler(Vertx vertx, UpstreamMockOptions options) {
    FlakyEndpoint flaky = new FlakyEndpoint();
    Future<Reply> staticOk = Future.succeededFuture(Reply.STATIC_OK);
    Endpoint staticEndpoint = (request, parameter) -> staticOk;
    this.stats = new CallStats(options.getMaxTrackedKeys());
    this.faults = new FaultInjector(vertx);
    // First match wins; /static first because the benchmark hits it hardest.
    this.endpoints = new EndpointTable(staticEndpoint)
        .subtree("/static", staticEndpoint)
        .subtree("/anything", new EchoEndpoint(options.getMaxBodyBytes()))
        .withParameter("/status/", new StatusEndpoint())
        .withParameter("/bytes/", new BytesEndpoint())
        .withParameter("/delay/", new DelayEndpoint(vertx))
        .subtree("/cacheable", new CacheableEndpoint(vertx))
        .withParameter("/flaky/", flaky);
    this.control = new ControlApi(stats, faults, flaky);
  }

  @Override
  public void handle(HttpServerRequest request) {
    String path = request.path();
    Future<Reply> reply;
    if (ControlApi.owns(path)) {
      reply = control.serve(request);
    } else {
      stats.record(request.method(), path, request.getHeader(CallStats.REQUEST_ID_HEADER));
      // Errors become replies before the fault settings see them, so latency applies to a 400 too.
      reply = faults.serve(request, () -> endpoints.serve(request).recover(MockHandler::asReply));
    }
    reply.recover(MockHandler::asReply).onSuccess(r -> r.writeTo(request.response()));
  }

  private static Future<Reply> asReply(Throwable failure) {
    return Future.succeededFuture(Failures.toReply(failure));
  }
}
