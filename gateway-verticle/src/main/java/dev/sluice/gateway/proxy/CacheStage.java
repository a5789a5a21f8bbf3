package dev.sluice.gateway.proxy;

import dev.sluice.gateway.cache.CacheKey;
import dev.sluice.gateway.cache.CacheOptions;
import dev.sluice.gateway.cache.CacheRules;
import dev.sluice.gateway.cache.CacheStore;
import dev.sluice.gateway.cache.Found;
import dev.sluice.gateway.cache.LocalTier;
import dev.sluice.gateway.cache.NodeCaches;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;

/**
 * The route's response cache, after the rate limit (a hit counts toward the client's limit) and
 * before the targets and the circuit (a stale entry can stand in for their 503). A fresh entry is
 * answered here, from this node's tier or from Redis; anything else goes on through a
 * {@link CacheFill}, which coalesces misses cluster-wide and stores what may be stored.
 */
public final class CacheStage implements GatewayStage {
  private final Vertx vertx;
  private final CacheStore store;
  private final NodeCaches local;
  private final String owner;

  /** @param owner names this instance in fill locks (node and instance id) */
  public CacheStage(Vertx vertx, CacheStore store, NodeCaches local, String owner) {
    this.vertx = vertx;
    this.store = store;
    this.local = local;
    this.owner = owner;
  }

  @Override
  public Future<ProxyReply> handle(Exchange exchange) {
    CacheOptions options = exchange.route().config().cache();
    if (!options.enabled()) {
      return exchange.proceed();
    }
    HttpServerRequest request = exchange.request();
    CacheRules rules = new CacheRules(options);
    // A GET with a body is not keyed by it: whatever the answer depends on there, the cache stays out.
    if (exchange.upgrade() || exchange.carriesBody() || !rules.requestUsesCache(request.method().name(), request.headers())) {
      exchange.cacheResult(CacheResult.BYPASS);
      return exchange.proceed();
    }
    CacheKey key = CacheKey.of(exchange.route().name(), exchange.path(), request.query(), request.headers(),
      options.vary());
    LocalTier tier = local.tier(key.route(), options);
    boolean revalidate = CacheRules.clientWantsRevalidation(request.headers());
    if (!revalidate) {
      Found held = tier.freshOrNull(key.digest());
      if (held != null && CacheRules.servable(held.entry(), request.headers())) {
        return CacheFill.serve(exchange, held, CacheResult.HIT);
      }
    }
    CacheFill fill = new CacheFill(vertx, exchange, rules, key, store, tier, owner, revalidate);
    return store.lookup(key).transform(looked -> {
      if (looked.failed()) {
        // Redis is down or slow: the request is served as if the route had no cache.
        exchange.cacheResult(CacheResult.BYPASS);
        return exchange.proceed();
      }
      return fill.found(looked.result());
    });
  }
}
