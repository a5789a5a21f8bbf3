package dev.sluice.gateway.edge;

/**
 * Certificate-style host names: a leading {@code *.} stands for exactly one label (RFC 6125 §6.4.3),
 * so {@code *.example.com} matches {@code api.example.com} but neither {@code example.com} nor
 * {@code a.b.example.com}. Both sides lower case.
 */
final class HostPattern {
  private HostPattern() {
  }

  static boolean matches(String pattern, String host) {
    if (!pattern.startsWith("*.")) {
      return pattern.equals(host);
    }
    int dot = host.indexOf('.');
    return dot > 0 && host.substring(dot).equals(pattern.substring(1));
  }
}
