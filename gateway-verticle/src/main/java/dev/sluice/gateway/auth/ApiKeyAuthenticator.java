package dev.sluice.gateway.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Checks API keys against the consumers in Redis. A key verified within {@code auth.cacheSeconds} is answered
 * from this instance's cache (bounded, least recently used out first), which is also what keeps known keys
 * working while Redis is down; an unknown key then gets {@link AuthOutcome.Unavailable}, never a pass.
 * Revocations arrive on {@link AuthEvent#ADDRESS} and evict at once. Concurrent first uses of one key share
 * one lookup.
 *
 * <p>One per verticle instance, on its event loop.
 */
public final class ApiKeyAuthenticator {
  private final Vertx vertx;
  private final ConsumerStore store;
  private final KeyDigest digests = new KeyDigest();
  private final VerifiedCache<Consumer> verified;
  private final long cacheNanos;
  private final long lookupTimeoutMs;
  private final Map<String, Future<Optional<Consumer>>> lookups = new HashMap<>();
  /** Counts revocations heard; a lookup that overlapped one may have read Redis before it, so is not cached. */
  private long revocations;
  private MessageConsumer<Object> events;

  public ApiKeyAuthenticator(Vertx vertx, ConsumerStore store, AuthOptions options, long lookupTimeoutMs,
                             LongSupplier nanoClock) {
    this.vertx = vertx;
    this.store = store;
    this.verified = new VerifiedCache<>(options.cacheEntries(), nanoClock);
    this.cacheNanos = TimeUnit.SECONDS.toNanos(options.cacheSeconds());
    this.lookupTimeoutMs = lookupTimeoutMs;
  }

  /** Registers for revocations; resolves once the registration has reached the cluster. */
  public Future<Void> start() {
    events = vertx.eventBus().consumer(AuthEvent.ADDRESS, message -> evict(AuthEvent.fromJson(message.body())));
    return events.completion();
  }

  public Future<Void> stop() {
    return events == null ? Future.succeededFuture() : events.unregister();
  }

  /** @param key the header's value, or null when the request sent none */
  public Future<AuthOutcome> authenticate(String key) {
    if (key == null || key.isBlank()) {
      return Future.succeededFuture(AuthOutcome.MISSING);
    }
    String digest = digests.of(key);
    Consumer cached = verified.get(digest);
    if (cached != null) {
      return Future.succeededFuture(new AuthOutcome.Verified(cached, null));
    }
    Future<Optional<Consumer>> lookup = lookups.get(digest);
    if (lookup == null) {
      long revocationsBefore = revocations;
      lookup = store.lookup(digest).timeout(lookupTimeoutMs, TimeUnit.MILLISECONDS)
        .andThen(done -> {
          lookups.remove(digest);
          if (done.succeeded() && done.result().isPresent() && revocations == revocationsBefore) {
            verified.put(digest, done.result().get(), cacheNanos);
          }
        });
      lookups.put(digest, lookup);
    }
    return lookup.transform(done -> Future.succeededFuture(done.failed()
      ? new AuthOutcome.Unavailable("API keys cannot be checked right now; try again shortly")
      : done.result().<AuthOutcome>map(c -> new AuthOutcome.Verified(c, null))
        .orElseGet(() -> new AuthOutcome.Rejected("unknown or revoked API key"))));
  }

  private void evict(AuthEvent event) {
    if (event == null) {
      return;
    }
    revocations++;
    event.digests().forEach(verified::remove);
    if (event.kind() == AuthEvent.Kind.CONSUMER_DELETED) {
      verified.removeIf((digest, consumer) -> consumer.id().equals(event.consumer()));
    }
  }
}
