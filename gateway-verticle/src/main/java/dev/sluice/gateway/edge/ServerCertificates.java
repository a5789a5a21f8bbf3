package dev.sluice.gateway.edge;

import dev.sluice.gateway.config.ConfigException;
import dev.sluice.gateway.config.TlsOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemException;
import io.vertx.core.net.KeyCertOptions;

import javax.net.ssl.KeyManagerFactory;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What the TLS listener serves: the default pair ({@code http.tls.cert}/{@code key}) and one per
 * {@code http.tls.sni} entry, read with the Vert.x file system (never on an event loop's time)
 * and checked as a whole ({@link CertificatePair}). As {@link KeyCertOptions} it hands Vert.x the
 * default pair's key managers, and for a client's SNI name the entry whose {@code host} matches it
 * (exact first, then wildcard); an unknown name, or none, gets the default.
 *
 * <p>Immutable; equal when made from the same bytes, so {@code updateSSLOptions} with an equal
 * set changes nothing.
 */
public final class ServerCertificates implements KeyCertOptions {
  private final CertificatePair main;
  private final List<String> hosts;
  private final List<CertificatePair> named;
  private final List<Buffer> bytes;

  private ServerCertificates(CertificatePair main, List<String> hosts, List<CertificatePair> named, List<Buffer> bytes) {
    this.main = main;
    this.hosts = List.copyOf(hosts);
    this.named = List.copyOf(named);
    this.bytes = List.copyOf(bytes);
  }

  /** Reads every file {@code tls} names: cert, key, then each SNI entry's cert and key. */
  public static Future<List<Buffer>> readFiles(Vertx vertx, TlsOptions tls) {
    List<Future<Buffer>> reads = new ArrayList<>();
    fields(tls).forEach(field -> reads.add(read(vertx, field.path(), field.name())));
    return Future.all(reads).map(all -> reads.stream().map(Future::result).toList());
  }

  /**
   * Reads and checks every file, once, before the listener opens.
   *
   * @return the set, or a failure with a {@link ConfigException} listing each bad file under its field
   */
  public static Future<ServerCertificates> load(Vertx vertx, TlsOptions tls) {
    List<Field> fields = fields(tls);
    List<Future<Buffer>> reads = new ArrayList<>();
    fields.forEach(field -> reads.add(read(vertx, field.path(), field.name())));
    return Future.join(reads).transform(ignored -> {
      List<String> problems = new ArrayList<>();
      for (Future<Buffer> read : reads) {
        if (read.failed()) {
          problems.addAll(((ConfigException) read.cause()).problems());
        }
      }
      if (!problems.isEmpty()) {
        return Future.failedFuture(new ConfigException(problems));
      }
      try {
        return Future.succeededFuture(check(vertx, tls, reads.stream().map(Future::result).toList(), Instant.now()));
      } catch (ConfigException e) {
        return Future.failedFuture(e);
      }
    });
  }

  /**
   * Checks files already read ({@link #readFiles}); every pair is checked, so one start reports every bad file.
   *
   * @throws ConfigException one line per bad file, e.g. {@code http.tls.key: does not fit the certificate in http.tls.cert}
   */
  public static ServerCertificates check(Vertx vertx, TlsOptions tls, List<Buffer> contents, Instant now) {
    List<Field> fields = fields(tls);
    List<String> problems = new ArrayList<>();
    List<CertificatePair> pairs = new ArrayList<>();
    for (int i = 0; i < fields.size(); i += 2) {
      Field cert = fields.get(i);
      Field key = fields.get(i + 1);
      try {
        CertificatePair pair = CertificatePair.check(vertx, cert.name(), key.name(), contents.get(i),
            contents.get(i + 1), now);
        String host = i == 0 ? null : tls.sni().get(i / 2 - 1).host();
        if (host != null && !pair.names(host)) {
          throw new CertificatePair.BadFile(cert.name(), "does not name host " + host + " (it names "
              + String.join(", ", pair.dnsNames()) + ")");
        }
        pairs.add(pair);
      } catch (CertificatePair.BadFile bad) {
        problems.add(bad.field() + ": " + bad.getMessage() + " (" + fieldPath(fields, bad.field()) + ")");
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    List<String> hosts = tls.sni().stream().map(entry -> entry.host().toLowerCase(Locale.ROOT)).toList();
    return new ServerCertificates(pairs.get(0), hosts, pairs.subList(1, pairs.size()), contents);
  }

  /** Whether {@code contents} (as {@link #readFiles} returns them) are the bytes this set was made from. */
  public boolean sameFiles(List<Buffer> contents) {
    return bytes.equals(contents);
  }

  /** The serving certificates' serials and expiry, for logs: {@code 1A2B (until 2027-03-01T…)}, SNI ones after. */
  public String describe() {
    StringBuilder text = new StringBuilder("serial ").append(main.serial()).append(" (until ").append(main.notAfter())
        .append(')');
    for (int i = 0; i < named.size(); i++) {
      text.append(", ").append(hosts.get(i)).append(" serial ").append(named.get(i).serial());
    }
    return text.toString();
  }

  @Override
  public KeyManagerFactory getKeyManagerFactory(Vertx vertx) {
    return main.keyManagers();
  }

  @Override
  public Function<String, KeyManagerFactory> keyManagerFactoryMapper(Vertx vertx) {
    return serverName -> {
      String name = serverName.toLowerCase(Locale.ROOT);
      int exact = hosts.indexOf(name);
      if (exact >= 0) {
        return named.get(exact).keyManagers();
      }
      for (int i = 0; i < hosts.size(); i++) {
        if (HostPattern.matches(hosts.get(i), name)) {
          return named.get(i).keyManagers();
        }
      }
      return null; // Vert.x then serves the default pair
    };
  }

  @Override
  public KeyCertOptions copy() {
    return this; // immutable
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof ServerCertificates that && bytes.equals(that.bytes) && hosts.equals(that.hosts);
  }

  @Override
  public int hashCode() {
    return bytes.hashCode();
  }

  @Override
  public String toString() {
    return "ServerCertificates[" + describe() + "]"; // never the key
  }

  private record Field(String name, Path path) {
  }

  /** cert, key, then each SNI entry's cert and key, with the field path each is reported under. */
  private static List<Field> fields(TlsOptions tls) {
    List<Field> fields = new ArrayList<>();
    fields.add(new Field("http.tls.cert", tls.cert()));
    fields.add(new Field("http.tls.key", tls.key()));
    for (int i = 0; i < tls.sni().size(); i++) {
      fields.add(new Field("http.tls.sni[" + i + "].cert", tls.sni().get(i).cert()));
      fields.add(new Field("http.tls.sni[" + i + "].key", tls.sni().get(i).key()));
    }
    return fields;
  }

  private static Path fieldPath(List<Field> fields, String name) {
    return fields.stream().filter(f -> f.name().equals(name)).findFirst().map(Field::path).orElseThrow();
  }

  private static Future<Buffer> read(Vertx vertx, Path path, String field) {
    return vertx.fileSystem().readFile(path.toString()).recover(cause -> Future.failedFuture(
        ConfigException.of(field + ": cannot read " + path + " (" + ioReason(cause) + ")")));
  }

  private static String ioReason(Throwable cause) {
    Throwable io = cause instanceof FileSystemException ? cause.getCause() : cause;
    if (io instanceof NoSuchFileException) {
      return "no such file";
    }
    if (io instanceof AccessDeniedException) {
      return "permission denied";
    }
    return io == null || io.getMessage() == null ? "I/O error" : io.getMessage();
  }
}
