package dev.sluice.gateway.edge;

import dev.sluice.gateway.config.ConfigException;
import dev.sluice.gateway.config.RouteConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * The start-up check of the routes' {@code tls.caFile}s (each must hold at least one PEM
 * certificate), read with the Vert.x file system; and the warning for each route that turned
 * verification off. Once per node, before the gateway listens.
 */
public final class UpstreamTrust {
  private static final Logger LOG = LoggerFactory.getLogger(UpstreamTrust.class);

  private UpstreamTrust() {
  }

  /** @return a failure with a {@link ConfigException} naming {@code routes[i].tls.caFile} for each bad file */
  public static Future<Void> check(Vertx vertx, List<RouteConfig> routes) {
    List<Future<String>> checks = new ArrayList<>();
    for (int i = 0; i < routes.size(); i++) {
      RouteConfig route = routes.get(i);
      if (route.tls().caFile() != null) {
        String field = "routes[" + i + "].tls.caFile";
        String path = route.tls().caFile().toString();
        checks.add(vertx.fileSystem().readFile(path).transform(read -> Future.succeededFuture(
          read.failed() ? field + ": cannot read " + path + " (" + reason(read.cause()) + ")" : problem(field, path, read.result()))));
      }
    }
    return Future.all(checks).compose(done -> {
      List<String> problems = checks.stream().map(Future::result).filter(p -> p != null).toList();
      return problems.isEmpty() ? Future.succeededFuture() : Future.failedFuture(new ConfigException(problems));
    });
  }

  /** One warning per route whose https:// targets are not verified: an operator should see it in every start's log. */
  public static void warnUnverified(List<RouteConfig> routes) {
    routes.stream().filter(route -> !route.tls().verify()).forEach(route -> LOG.warn(
      "route {}: tls.verify is false: the certificates of its https:// targets are not checked, so anyone on the"
        + " path to them can read and change its traffic", route.name()));
  }

  private static String problem(String field, String path, Buffer pem) {
    try {
      boolean none = CertificateFactory.getInstance("X.509")
        .generateCertificates(new ByteArrayInputStream(pem.getBytes())).isEmpty();
      return none ? field + ": no PEM certificate in " + path : null;
    } catch (CertificateException e) {
      return field + ": not a PEM certificate (" + path + ")";
    }
  }

  private static String reason(Throwable cause) {
    Throwable io = cause.getCause() == null ? cause : cause.getCause();
    return io instanceof java.nio.file.NoSuchFileException ? "no such file"
      : io instanceof java.nio.file.AccessDeniedException ? "permission denied" : String.valueOf(io.getMessage());
  }
}
