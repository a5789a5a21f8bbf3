package dev.sluice.gateway.edge;

import dev.sluice.gateway.config.ConfigException;
import dev.sluice.gateway.config.HttpOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;

/**
 * Picks up renewed certificates (certbot, cert-manager) without a restart: every
 * {@code http.tls.reloadSeconds} it reads the files (Vert.x file system, off the event loop) and,
 * when their bytes changed, checks the new set like the start did and hands it to
 * {@code HttpServer.updateSSLOptions}. New connections get the new certificate; open ones keep the
 * session they have. A set that fails the check (a key written before its certificate, a garbled
 * file) is refused with one log line and the served one stays; the same bad bytes are not logged
 * again, and the next change is tried afresh. One per gateway instance, for its own server.
 */
public final class CertificateReloader {
  private static final Logger LOG = LoggerFactory.getLogger(CertificateReloader.class);

  private final Vertx vertx;
  private final HttpOptions http;
  private final HttpServer server;
  private ServerCertificates serving;
  private List<Buffer> refused;
  private boolean checking;
  private long timer = -1;

  public CertificateReloader(Vertx vertx, HttpOptions http, HttpServer server, ServerCertificates serving) {
    this.vertx = vertx;
    this.http = http;
    this.server = server;
    this.serving = serving;
  }

  public void start() {
    int seconds = http.tls().reloadSeconds();
    if (seconds > 0) {
      timer = vertx.setPeriodic(seconds * 1000L, tick -> check());
    }
  }

  public void stop() {
    if (timer != -1) {
      vertx.cancelTimer(timer);
    }
  }

  /** One look at the files; a look still reading (a slow disk) makes the next tick wait its turn. */
  Future<Void> check() {
    if (checking) {
      return Future.succeededFuture();
    }
    checking = true;
    return ServerCertificates.readFiles(vertx, http.tls())
      .compose(this::consider)
      .recover(cause -> {
        // A file missing for a moment (a renewal that deletes, then writes) is not yet a renewal.
        LOG.warn("TLS certificate files not reloaded, still serving {}: {}", serving.describe(), cause.getMessage());
        return Future.succeededFuture();
      })
      .eventually(() -> {
        checking = false;
        return Future.succeededFuture();
      });
  }

  private Future<Void> consider(List<Buffer> contents) {
    if (serving.sameFiles(contents) || contents.equals(refused)) {
      return Future.succeededFuture();
    }
    ServerCertificates renewed;
    try {
      renewed = ServerCertificates.check(vertx, http.tls(), contents, Instant.now());
    } catch (ConfigException e) {
      refused = contents;
      LOG.warn("TLS certificate renewal refused, still serving {}: {}", serving.describe(),
        String.join("; ", e.problems()));
      return Future.succeededFuture();
    }
    return server.updateSSLOptions(EdgeListener.sslOptions(http, renewed)).map(updated -> {
      LOG.info("TLS certificates reloaded: now serving {} (was {})", renewed.describe(), serving.describe());
      serving = renewed;
      refused = null;
      return null;
    });
  }
}
