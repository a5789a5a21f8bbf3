package dev.sluice.gateway.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * TLS on the client-facing listener: a default certificate and key (PEM), more for other names
 * (SNI), and how often the files are looked at for a renewal. The files themselves are read and
 * checked by {@code edge/ServerCertificates} at start and on each change, never here: a parse
 * stays free of I/O.
 *
 * @param reloadSeconds how often the files are compared with what is served; 0 = never
 */
public record TlsOptions(Path cert, Path key, int reloadSeconds, List<SniCertificate> sni) {
  public static final int DEFAULT_RELOAD_SECONDS = 60;

  public TlsOptions {
    Objects.requireNonNull(cert, "cert");
    Objects.requireNonNull(key, "key");
    sni = List.copyOf(sni);
  }

  /** One more name served on the same port; {@code host} may be a wildcard ({@code *.example.com}). */
  public record SniCertificate(String host, Path cert, Path key) {
    public SniCertificate {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(cert, "cert");
      Objects.requireNonNull(key, "key");
    }
  }
}
