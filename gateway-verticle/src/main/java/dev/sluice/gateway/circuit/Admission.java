package dev.sluice.gateway.circuit;

/** How a request may pass a route's circuit. */
public enum Admission {
  /** CLOSED: a normal call, with retries. */
  CALL,
  /** This request is the cluster's one half-open probe: a single attempt that closes or reopens the circuit. */
  PROBE
}
