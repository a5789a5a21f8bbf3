package dev.sluice.gateway.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads the edge's keys (DESIGN.md, "The edge"): {@code http.tls}, {@code http.http2},
 * {@code http.redirectPort} and a route's {@code tls}. Only their shape is checked here; the
 * files they name are read and checked by {@code edge/ServerCertificates} before the listener opens.
 */
final class EdgeReader {
  /** A DNS name, or one with a leading {@code *.} wildcard label, as certificates name hosts. */
  private static final Pattern SNI_HOST = Pattern.compile("(\\*\\.)?([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\\.)*"
      + "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?");
  private static final Range STREAMS = Range.between(1, Integer.MAX_VALUE);

  private EdgeReader() {
  }

  /** {@code http.tls}, or null when the key is absent (a cleartext listener). */
  static TlsOptions tls(ConfigNode http) {
    ConfigValue value = http.value("tls");
    if (!value.isSet()) {
      return null;
    }
    ConfigNode node = value.object();
    Optional<Path> cert = path(node.value("cert").required());
    Optional<Path> key = path(node.value("key").required());
    int reloadSeconds = node.intValue("reloadSeconds", Range.NON_NEGATIVE, TlsOptions.DEFAULT_RELOAD_SECONDS);
    List<TlsOptions.SniCertificate> sni = node.value("sni").list().map(EdgeReader::sniList).orElse(List.of());
    node.rejectUnknownKeys();
    if (cert.isEmpty() || key.isEmpty()) {
      return null;
    }
    return new TlsOptions(cert.get(), key.get(), reloadSeconds, sni);
  }

  /** {@code http.http2}: {@code true}/{@code false}, or {@code {enabled, maxConcurrentStreams}}. */
  static Http2Options http2(ConfigNode http) {
    ConfigValue value = http.value("http2");
    if (value.raw() instanceof Boolean enabled) {
      return new Http2Options(enabled, Http2Options.DEFAULT_MAX_CONCURRENT_STREAMS);
    }
    ConfigNode node = value.object();
    Http2Options http2 = new Http2Options(node.bool("enabled", true),
        node.intValue("maxConcurrentStreams", STREAMS, Http2Options.DEFAULT_MAX_CONCURRENT_STREAMS));
    node.rejectUnknownKeys();
    return http2;
  }

  /** {@code http.redirectPort}: only beside a TLS listener, on a port of its own. */
  static int redirectPort(ConfigNode http, int port, boolean tls) {
    ConfigValue value = http.value("redirectPort");
    int redirect = value.intValue(Range.PORT).orElse(HttpOptions.NO_REDIRECT);
    if (redirect != HttpOptions.NO_REDIRECT && !tls) {
      value.problem("needs http.tls: there is no https:// listener to redirect to");
    } else if (redirect != HttpOptions.NO_REDIRECT && redirect == port) {
      value.problem("must differ from http.port (" + port + ")");
    }
    return redirect;
  }

  /** A route's {@code tls}: how its {@code https://} targets are verified. */
  static UpstreamTls upstreamTls(ConfigValue value, boolean anyHttpsTarget) {
    if (!value.isSet()) {
      return UpstreamTls.DEFAULT;
    }
    ConfigNode node = value.object();
    Optional<Path> caFile = path(node.value("caFile"));
    Optional<String> serverName = node.value("serverName").string().map(String::trim).filter(name -> {
      boolean ok = SNI_HOST.matcher(name).matches() && !name.startsWith("*");
      if (!ok) {
        node.problem("serverName", "must be a host name");
      }
      return ok;
    });
    boolean verify = node.bool("verify", true);
    if (!verify && caFile.isPresent()) {
      node.problem("verify", "false ignores caFile; set one or the other");
    }
    node.rejectUnknownKeys();
    if (!anyHttpsTarget) {
      value.problem("the route has no https:// target");
    }
    return new UpstreamTls(caFile.orElse(null), serverName.orElse(null), verify);
  }

  private static List<TlsOptions.SniCertificate> sniList(List<ConfigValue> items) {
    List<TlsOptions.SniCertificate> entries = new ArrayList<>();
    for (ConfigValue item : items) {
      ConfigNode node = item.object();
      Optional<String> host = node.value("host").required().string().map(String::trim).filter(h -> {
        boolean ok = SNI_HOST.matcher(h).matches();
        if (!ok) {
          node.problem("host", "must be a host name, or *. and a domain");
        }
        return ok;
      });
      Optional<Path> cert = path(node.value("cert").required());
      Optional<Path> key = path(node.value("key").required());
      node.rejectUnknownKeys();
      if (host.isPresent() && cert.isPresent() && key.isPresent()) {
        entries.add(new TlsOptions.SniCertificate(host.get(), cert.get(), key.get()));
      }
    }
    return entries;
  }

  private static Optional<Path> path(ConfigValue value) {
    return value.string().map(String::trim).filter(text -> {
      if (text.isEmpty()) {
        value.problem("must not be empty");
        return false;
      }
      try {
        Path.of(text);
        return true;
      } catch (InvalidPathException e) {
        value.problem("not a file path");
        return false;
      }
    }).map(Path::of);
  }
}
