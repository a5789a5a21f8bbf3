package dev.sluice.gateway.config;

/**
 * Whose W3C {@code traceparent}/{@code tracestate} a request's server span adopts. A trace id a
 * client picks is a claim like {@code X-Forwarded-For}: believed only from a peer we trust, or a
 * caller could graft its requests onto (or flood) another team's trace.
 */
public enum TrustIncoming {
  /** Only from a peer in {@code clients.trustedProxies}; from anyone else a new trace starts. */
  TRUSTED,
  /** From every client (Sluice sits behind something that already strips them). */
  ALL,
  /** From no one: every request starts a trace of its own. */
  NONE
}
