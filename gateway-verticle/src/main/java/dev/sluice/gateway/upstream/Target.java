package dev.sluice.gateway.upstream;

import dev.sluice.gateway.config.UpstreamTls;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.ClientSSLOptions;
import io.vertx.core.net.SocketAddress;

import java.net.URI;

/**
 * One target of a route on one verticle instance: where attempts go, with its weight and its
 * state. A route reload that keeps the target's URL keeps its {@link TargetState}.
 */
public final class Target {
  private final TargetConfig config;
  private final TargetState state;
  private final String host;
  private final int port;
  private final boolean tls;
  private final String basePath;
  private final ClientSSLOptions ssl;
  private final String serverName;
  private final boolean h2;

  public Target(TargetConfig config, TargetState state) {
    this(config, state, UpstreamTls.DEFAULT);
  }

  /** @param upstreamTls how an {@code https://} target's certificate is checked (ignored for {@code http://}) */
  public Target(TargetConfig config, TargetState state, UpstreamTls upstreamTls) {
    this(config, state, upstreamTls, false);
  }

  /** @param h2 HTTP/2 to this target (ALPN over TLS, prior knowledge in cleartext) */
  public Target(TargetConfig config, TargetState state, UpstreamTls upstreamTls, boolean h2) {
    this.config = config;
    this.h2 = h2;
    this.state = state;
    URI url = config.url();
    this.tls = "https".equalsIgnoreCase(url.getScheme());
    this.host = url.getHost();
    this.port = url.getPort() != -1 ? url.getPort() : (tls ? 443 : 80);
    String base = url.getRawPath() == null ? "" : url.getRawPath();
    this.basePath = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    this.ssl = this.tls ? UpstreamSsl.of(upstreamTls, h2) : null;
    this.serverName = this.tls ? upstreamTls.serverName() : null;
  }

  /**
   * Points {@code options} at this target: its address and, for {@code https://}, its TLS check.
   * With a {@code serverName}, the connection still goes to the URL's host and port, but that name
   * is asked for by SNI, verified in the certificate and sent as {@code Host}.
   */
  public RequestOptions connect(RequestOptions options) {
    options.setSsl(tls).setPort(port);
    if (ssl != null) {
      options.setSslOptions(ssl);
    }
    if (serverName != null) {
      options.setServer(SocketAddress.inetSocketAddress(port, host)).setHost(serverName);
    } else {
      options.setHost(host);
    }
    return options;
  }

  public String name() {
    return config.name();
  }

  public TargetConfig config() {
    return config;
  }

  public int weight() {
    return config.weight();
  }

  public TargetState state() {
    return state;
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public boolean tls() {
    return tls;
  }

  public boolean h2() {
    return h2;
  }

  /** The target's own path in front of the forwarded one ({@code /v1} + {@code /users/7}). */
  public String uri(String pathAndQuery) {
    String joined = basePath + pathAndQuery;
    return joined.isEmpty() || joined.charAt(0) == '?' ? "/" + joined : joined;
  }

  @Override
  public String toString() {
    return name();
  }
}
