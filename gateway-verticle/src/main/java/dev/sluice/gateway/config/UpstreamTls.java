package dev.sluice.gateway.config;

import java.nio.file.Path;

/**
 * How a route's {@code https://} targets are checked: against the JVM's trust store (no
 * {@code caFile}) or a CA of the operator's, for the target's host name or {@code serverName}
 * (sent as SNI and verified in the certificate), or not at all ({@code verify: false}, which the
 * gateway warns about at start).
 *
 * @param caFile     PEM CA certificates to trust instead of the JVM's; null = the JVM's trust store
 * @param serverName the name to ask for and verify instead of the target URL's host; null = that host
 */
public record UpstreamTls(Path caFile, String serverName, boolean verify) {
  /** The JVM's trust store, the URL's host name, verified. */
  public static final UpstreamTls DEFAULT = new UpstreamTls(null, null, true);
}
