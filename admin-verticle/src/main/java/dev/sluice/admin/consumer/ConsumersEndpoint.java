package dev.sluice.admin.consumer;

import dev.sluice.gateway.auth.AuthEvent;
import dev.sluice.gateway.auth.Consumer;
import dev.sluice.gateway.auth.ConsumerStore;
import dev.sluice.gateway.auth.KeyDigest;
import dev.sluice.gateway.config.ConsumerIds;
import dev.sluice.gateway.config.RateLimitPolicy;
import dev.sluice.gateway.redis.RedisUrl;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.redis.client.Redis;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * {@code /__consumers}: API-key consumers, every call behind the admin token. A new key is in the answer
 * that made it and nowhere else; every other answer shows digest prefixes. A revocation or deletion is
 * published on {@link AuthEvent#ADDRESS} once Redis has it, so every gateway instance drops the key at once.
 */
public final class ConsumersEndpoint {
  static final long BOUND_MS = 2000;
  private static final long MAX_BODY_BYTES = 65_536;
  private static final Pattern DIGEST_PREFIX = Pattern.compile("[0-9a-f]{8,64}");

  private final Vertx vertx;
  private final Redis redis;
  private final ConsumerStore store;
  private final SecureRandom random = new SecureRandom();

  public ConsumersEndpoint(Vertx vertx, String redisUrl) {
    this.vertx = vertx;
    this.redis = Redis.createClient(vertx, RedisUrl.toClientOptions(redisUrl));
    this.store = new ConsumerStore(redis::send, random, System::currentTimeMillis);
  }

  /** Mounts the endpoints, each behind {@code guard} (the admin token check). */
  public void mount(Router router, io.vertx.core.Handler<RoutingContext> guard) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
    router.post("/__consumers").handler(body).handler(guard).handler(this::create);
    router.get("/__consumers").handler(guard).handler(this::list);
    router.get("/__consumers/:id").handler(guard).handler(this::get);
    router.post("/__consumers/:id/keys").handler(guard).handler(this::newKey);
    router.delete("/__consumers/:id/keys/:prefix").handler(guard).handler(this::revokeKey);
    router.delete("/__consumers/:id").handler(guard).handler(this::delete);
  }

  public Future<Void> close() {
    return redis.close();
  }

  private void create(RoutingContext ctx) {
    JsonObject request;
    try {
      request = ctx.body().length() == 0 ? new JsonObject() : ctx.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      error(ctx, 400, "BAD_REQUEST", "body must be a JSON object {id?, limits?}");
      return;
    }
    Object idValue = request == null ? null : request.getValue("id");
    String id = idValue == null ? newId() : String.valueOf(idValue);
    String problem = idValue instanceof String || idValue == null ? ConsumerIds.problem(id) : "must be a string";
    if (problem != null) {
      error(ctx, 400, "BAD_REQUEST", "id: " + problem);
      return;
    }
    Map<String, RateLimitPolicy> limits;
    try {
      Object raw = request == null ? null : request.getValue("limits");
      if (raw != null && !(raw instanceof JsonObject)) {
        throw new IllegalArgumentException("limits: must be an object {route: {limit, windowMs}}");
      }
      limits = Consumer.limitsFromJson((JsonObject) raw);
    } catch (IllegalArgumentException e) {
      error(ctx, 400, "BAD_REQUEST", e.getMessage());
      return;
    }
    bounded(store.create(id, limits))
      .onSuccess(issued -> issuedAnswer(ctx, issued))
      .onFailure(err -> {
        if (err instanceof ConsumerStore.ConsumerExistsException) {
          error(ctx, 409, "CONSUMER_EXISTS", err.getMessage());
        } else {
          redisDown(ctx, err);
        }
      });
  }

  private String newId() {
    byte[] bytes = new byte[6];
    random.nextBytes(bytes);
    return "c-" + HexFormat.of().formatHex(bytes);
  }

  private void newKey(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (badId(ctx, id)) {
      return;
    }
    bounded(store.newKey(id))
      .onSuccess(issued -> {
        if (issued.isEmpty()) {
          noConsumer(ctx, id);
        } else {
          issuedAnswer(ctx, issued.get());
        }
      })
      .onFailure(err -> redisDown(ctx, err));
  }

  private void list(RoutingContext ctx) {
    bounded(store.list())
      .onSuccess(all -> {
        JsonArray out = new JsonArray();
        all.forEach(c -> out.add(c.toAdminJson()));
        json(ctx, 200, new JsonObject().put("consumers", out).put("truncated", all.size() >= ConsumerStore.MAX_LISTED));
      })
      .onFailure(err -> redisDown(ctx, err));
  }

  private void get(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (badId(ctx, id)) {
      return;
    }
    bounded(store.get(id))
      .onSuccess(found -> {
        if (found.isEmpty()) {
          noConsumer(ctx, id);
        } else {
          json(ctx, 200, found.get().toAdminJson());
        }
      })
      .onFailure(err -> redisDown(ctx, err));
  }

  private void revokeKey(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String prefix = ctx.pathParam("prefix");
    if (badId(ctx, id)) {
      return;
    }
    if (!DIGEST_PREFIX.matcher(prefix).matches()) {
      error(ctx, 400, "BAD_REQUEST", "a key is named by at least 8 hex digits of its digest, as GET /__consumers/"
        + id + " shows them");
      return;
    }
    bounded(store.revokeKey(id, prefix))
      .onSuccess(revocation -> {
        switch (revocation.outcome()) {
          case NO_CONSUMER -> noConsumer(ctx, id);
          case NO_KEY -> error(ctx, 404, "NO_KEY", "consumer '" + id + "' has no key " + prefix);
          case AMBIGUOUS -> error(ctx, 409, "AMBIGUOUS_KEY", "more than one key of '" + id + "' starts with " + prefix);
          case REVOKED -> {
            publish(new AuthEvent(AuthEvent.Kind.KEY_REVOKED, id, revocation.digests()));
            json(ctx, 200, new JsonObject().put("consumer", id)
              .put("revoked", KeyDigest.prefix(revocation.digests().get(0))));
          }
        }
      })
      .onFailure(err -> redisDown(ctx, err));
  }

  private void delete(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (badId(ctx, id)) {
      return;
    }
    bounded(store.delete(id))
      .onSuccess(revocation -> {
        if (revocation.outcome() == ConsumerStore.Revoked.NO_CONSUMER) {
          noConsumer(ctx, id);
          return;
        }
        publish(new AuthEvent(AuthEvent.Kind.CONSUMER_DELETED, id, revocation.digests()));
        json(ctx, 200, new JsonObject().put("deleted", id).put("revokedKeys", revocation.digests().size()));
      })
      .onFailure(err -> redisDown(ctx, err));
  }

  private void publish(AuthEvent event) {
    vertx.eventBus().publish(AuthEvent.ADDRESS, event.toJson());
  }

  private static void issuedAnswer(RoutingContext ctx, ConsumerStore.Issued issued) {
    json(ctx, 201, new JsonObject().put("consumer", issued.consumer().toAdminJson())
      .put("key", issued.key())
      .put("digestPrefix", KeyDigest.prefix(issued.digest()))
      .put("note", "the key is shown once, now; Sluice keeps only its SHA-256"));
  }

  private static boolean badId(RoutingContext ctx, String id) {
    String problem = ConsumerIds.problem(id);
    if (problem != null) {
      error(ctx, 400, "BAD_REQUEST", "consumer id " + problem);
    }
    return problem != null;
  }

  private static <T> Future<T> bounded(Future<T> future) {
    return future.timeout(BOUND_MS, TimeUnit.MILLISECONDS);
  }

  private static void noConsumer(RoutingContext ctx, String id) {
    error(ctx, 404, "NO_CONSUMER", "no consumer '" + id + "'");
  }

  private static void redisDown(RoutingContext ctx, Throwable err) {
    error(ctx, 503, "REDIS_UNAVAILABLE", "cannot reach Redis: " + err.getMessage());
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
      .putHeader("Cache-Control", "no-store").end(body.encodePrettily());
  }

  private static void error(RoutingContext ctx, int status, String code, String message) {
    json(ctx, status, new JsonObject().put("status", "error").put("code", code).put("message", message));
  }
}
