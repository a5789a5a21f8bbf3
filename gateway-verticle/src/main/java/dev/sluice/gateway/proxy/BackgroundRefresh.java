package dev.sluice.gateway.proxy;

import dev.sluice.gateway.cache.BodyCapture;
import dev.sluice.gateway.cache.CachedEntry;
import dev.sluice.gateway.cache.Found;
import dev.sluice.gateway.upstream.UpstreamResponse;

/**
 * stale-while-revalidate: the client has its stale answer already; this refreshes the entry
 * behind it, once for the whole cluster (only the holder of the fill lock refreshes; everyone else
 * keeps serving stale until the new entry lands). The refresh is the exchange's own upstream call,
 * made through the rest of the pipeline (targets, circuit, retries) after the answer was written;
 * its body is read here, bounded by {@code maxBodyBytes}, never relayed.
 */
final class BackgroundRefresh {
  private final Exchange exchange;
  private final CacheFill fill;

  BackgroundRefresh(Exchange exchange, CacheFill fill) {
    this.exchange = exchange;
    this.fill = fill;
  }

  void start(Found stale) {
    fill.tryLock().onSuccess(locked -> {
      if (locked) {
        refresh(stale);
      }
    });
  }

  private void refresh(Found stale) {
    CachedEntry validating = CacheFill.validating(stale);
    exchange.upstreamHeaders(headers -> CacheFill.conditionalHeaders(headers, validating));
    exchange.proceed().onComplete(reply -> {
      if (reply.failed()) {
        fill.release(true);
        return;
      }
      UpstreamResponse upstream = reply.result().upstream();
      if (upstream.statusCode() == 304 && validating != null) {
        upstream.discard();
        fill.keep(fill.refreshed(stale, upstream.headers()), true);
        return;
      }
      CacheFill.Fill entry = fill.fillFor(upstream);
      if (entry == null) {
        upstream.discard();
        fill.release(true);
        return;
      }
      read(upstream, entry);
    });
  }

  private void read(UpstreamResponse upstream, CacheFill.Fill entry) {
    BodyCapture capture = new BodyCapture(fill.maxBodyBytes());
    upstream.body().exceptionHandler(err -> capture.abandon("the answer broke off"));
    upstream.body().endHandler(v -> capture.complete());
    upstream.body().handler(chunk -> {
      capture.chunk(chunk);
      if (capture.body().failed()) {
        upstream.abort();
      }
    });
    upstream.body().resume();
    capture.body().onComplete(body -> {
      if (body.succeeded()) {
        fill.keep(entry.entry(body.result()), true);
      } else {
        fill.release(true);
      }
    });
  }
}
