package dev.sluice.gateway.limit;

import dev.sluice.gateway.redis.PipelinedRedis;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The limiter's one Lua script ({@code sliding-window.lua}), run by SHA.
 *
 * <p>One call may carry many windows (see {@link ScriptBatcher}): keys first, then nine arguments
 * per key, and the answer is four numbers per key.
 *
 * <p>The SHA is SHA-1 of the script text, exactly what {@code SCRIPT LOAD} answers, so it is
 * computed here once and every acquire is a single {@code EVALSHA} round trip. When the server
 * does not know it ({@code NOSCRIPT}: restarted, failed over, {@code SCRIPT FLUSH}) the call is
 * retried once as {@code EVAL} with the full text, which runs it and caches it on that server.
 * {@code EVAL} rather than {@code SCRIPT LOAD} + {@code EVALSHA}: one round trip instead of two,
 * and it carries the key, so a Redis Cluster client routes it to the node that owns the slot,
 * whereas a key-less {@code SCRIPT LOAD} goes to an arbitrary node.
 */
final class SlidingWindowScript {
  static final String RESOURCE = "sliding-window.lua";

  private final String text;
  private final String sha;

  private SlidingWindowScript(String text) {
    this.text = text;
    this.sha = sha1Hex(text);
  }

  /** Reads the script from the classpath once; a missing resource is a packaging bug. */
  static SlidingWindowScript load() {
    try (InputStream in = SlidingWindowScript.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE + " next to " + SlidingWindowScript.class.getName());
      }
      return new SlidingWindowScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }

  String sha() {
    return sha;
  }

  /**
   * One EVALSHA for every window in {@code asks} (one key each; with Redis Cluster, one ask per
   * call); on NOSCRIPT one EVAL, transparently. Read each ask's answer with {@link Grant#of}, in
   * the order of the asks.
   */
  Future<Response> run(PipelinedRedis redis, List<LeaseBook.Ask> asks) {
    return redis.sendNow(call(Command.EVALSHA, sha, asks))
        .recover(err -> isNoScript(err)
            ? redis.sendNow(call(Command.EVAL, text, asks))
            : Future.failedFuture(err));
  }

  /**
   * {@code SCRIPT LOAD}: warms the script cache (e.g. at verticle start, or when Redis comes
   * back) and proves the server answers; fails if the server hashes the text differently.
   */
  Future<Void> preload(PipelinedRedis redis) {
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(text))
        .compose(answer -> sha.equals(answer.toString())
            ? Future.<Void>succeededFuture()
            : Future.failedFuture(new IllegalStateException("SCRIPT LOAD answered " + answer + ", expected " + sha)));
  }

  private static Request call(Command command, String scriptOrSha, List<LeaseBook.Ask> asks) {
    Request request = Request.cmd(command).arg(scriptOrSha).arg(asks.size());
    for (LeaseBook.Ask ask : asks) {
      request.arg(ask.key());
    }
    if (asks.size() == 1 && isOneSlotNow(asks.get(0))) {
      return plainArgs(request, asks.get(0));
    }
    for (LeaseBook.Ask ask : asks) {
      plainArgs(request, ask).arg(ask.need()).arg(ask.spare()).arg(ask.leaseMs()).arg(ask.handBack()).arg(ask.handBackAs())
          .arg(ask.earlierByUs());
    }
    return request;
  }

  /** One slot scored now, the call of most clients: alone in a call, it leaves out the lease arguments (the script's defaults). */
  private static boolean isOneSlotNow(LeaseBook.Ask ask) {
    return ask.need() == 1 && ask.spare() == 0 && ask.leaseMs() == 0 && ask.handBack().isEmpty();
  }

  private static Request plainArgs(Request request, LeaseBook.Ask ask) {
    return request.arg(ask.policy().limit()).arg(ask.policy().windowMs()).arg(ask.grantId());
  }

  static boolean isNoScript(Throwable err) {
    String message = err.getMessage();
    // contains, not startsWith: a batch's error lists every command's error ("ERR [3] NOSCRIPT ...")
    return message != null && message.contains("NOSCRIPT");
  }

  private static String sha1Hex(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK ships SHA-1", e);
    }
  }
}
