package dev.sluice.gateway.client;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;

import java.util.List;

/**
 * Who a request counts against. By default the TCP peer; {@code X-Forwarded-For} is believed only
 * when the peer is a trusted proxy — otherwise anyone could dodge a limit by sending a new header
 * each time. With {@code identity: header:<Name>}, a digest of the header's value (an API key:
 * {@link ApiKeyDigest}), or the address when the header is missing. The key itself goes no further
 * than this class: limiter, Redis, access log and admin only ever see the digest.
 *
 * <p>One per verticle instance, used on its event loop.
 */
public final class ClientIdentityResolver {
  private static final String FORWARDED_FOR = "X-Forwarded-For";

  private final String identityHeader;
  private final List<CidrBlock> trustedProxies;
  private final ApiKeyDigest digests = new ApiKeyDigest();

  public ClientIdentityResolver(ClientsOptions options) {
    this.identityHeader = options.identityHeader();
    this.trustedProxies = options.trustedProxies();
  }

  public String resolve(HttpServerRequest request) {
    return resolve(request, peerHost(request));
  }

  /** @param peerHost the TCP peer's address as text ({@link #peerHost}), which the caller may have made already */
  public String resolve(HttpServerRequest request, String peerHost) {
    if (identityHeader != null) {
      String key = request.getHeader(identityHeader);
      if (key != null && !key.isBlank()) {
        return digests.of(key);
      }
    }
    return clientAddress(request, peerHost);
  }

  /** The TCP peer's address as text: formatted anew on every call, so a request makes it once. */
  public static String peerHost(HttpServerRequest request) {
    SocketAddress peer = request.remoteAddress();
    return peer == null ? "unknown" : peer.hostAddress();
  }

  public String clientAddress(HttpServerRequest request) {
    return clientAddress(request, peerHost(request));
  }

  /**
   * Walks {@code X-Forwarded-For} from the right, skipping trusted proxies: the first address that
   * is not ours is the client. The left-most entries are whatever the client chose to send.
   */
  public String clientAddress(HttpServerRequest request, String peerHost) {
    String address = peerHost;
    if (trustedProxies.isEmpty() || !isTrusted(address)) {
      return address;
    }
    List<String> chain = request.headers().getAll(FORWARDED_FOR);
    String[] hops = String.join(",", chain).split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].trim();
      if (hop.isEmpty()) {
        continue;
      }
      address = hop;
      if (!isTrusted(hop)) {
        break;
      }
    }
    return address;
  }

  private boolean isTrusted(String address) {
    for (CidrBlock block : trustedProxies) {
      if (block.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
