package dev.sluice.gateway.circuit;

/**
 * Where a circuit's state holds. CLUSTER: every instance on every node follows it. NODE: the
 * failures that opened it came from this node alone (no quorum), so only this node's instances
 * follow it; the other nodes keep serving.
 */
public enum CircuitScope {
  CLUSTER, NODE
}
