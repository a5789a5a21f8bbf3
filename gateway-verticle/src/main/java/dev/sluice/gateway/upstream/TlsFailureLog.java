package dev.sluice.gateway.upstream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Says why an {@code https://} target could not be used (an unknown CA, a name the certificate
 * does not hold, an expired certificate): one line with the TLS reason and no stack trace, at
 * most once per target and reason every {@link #QUIET_MS}, with the count of failures in between,
 * so a broken upstream under load cannot flood the log while a new reason is said at once. The client gets 502 UPSTREAM_UNAVAILABLE without
 * the reason. One per {@link UpstreamClient}, on its event loop.
 */
final class TlsFailureLog {
  private static final Logger LOG = LoggerFactory.getLogger(TlsFailureLog.class);
  static final long QUIET_MS = 10_000;

  private record Last(long atMs, int since) {
  }

  private final LongSupplier clockMs;
  private final Map<String, Last> lastLines = new HashMap<>();

  TlsFailureLog(LongSupplier clockMs) {
    this.clockMs = clockMs;
  }

  /** Logs {@code cause} when it is a TLS failure not already said for the target in the last {@link #QUIET_MS}. */
  void failed(Target target, Throwable cause) {
    SSLException tls = tlsCause(cause);
    if (tls == null) {
      return;
    }
    long now = clockMs.getAsLong();
    String reason = reason(tls);
    String key = target.name() + ' ' + reason;
    Last last = lastLines.get(key);
    if (last != null && now - last.atMs() < QUIET_MS) {
      lastLines.put(key, new Last(last.atMs(), last.since() + 1));
      return;
    }
    int suppressed = last == null ? 0 : last.since();
    lastLines.put(key, new Last(now, 0));
    LOG.warn("upstream {}: TLS handshake failed: {}{}", target.name(), reason,
      suppressed == 0 ? "" : " (and " + suppressed + " more since the last line)");
  }

  private static SSLException tlsCause(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof SSLException ssl) {
        return ssl;
      }
    }
    return null;
  }

  /** The innermost message: "PKIX path building failed: …" says more than Netty's wrapper around it. */
  private static String reason(SSLException tls) {
    Throwable inner = tls;
    while (inner.getCause() != null && inner.getCause() != inner) {
      inner = inner.getCause();
    }
    String message = inner.getMessage() == null ? inner.getClass().getSimpleName() : inner.getMessage();
    return inner == tls ? message : tls.getMessage() + " (" + message + ")";
  }
}
