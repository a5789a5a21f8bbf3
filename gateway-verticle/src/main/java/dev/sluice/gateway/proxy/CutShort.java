package dev.sluice.gateway.proxy;

/**
 * Who ended an answer before its last byte. Only the first cause counts: once one side has gone,
 * whatever the other side does next (the upstream's reset after we aborted it for a client that
 * left) is a consequence, not a second fault.
 */
public enum CutShort {
  /** The client closed or reset its connection, or stopped reading for longer than the idle timeout. */
  CLIENT("client"),
  /** The upstream closed or reset its connection, or sent a broken body. */
  UPSTREAM("upstream"),
  /** The upstream fell silent mid-body for the idle timeout while the client was waiting for more. */
  IDLE("idle"),
  /** The gateway closed the connection itself: its drain grace ran out. */
  SHUTDOWN("shutdown");

  private final String label;

  CutShort(String label) {
    this.label = label;
  }

  /** How the access log and metrics name it. */
  public String label() {
    return label;
  }

  /** Whether the upstream is to blame: only then does its circuit and its target's outlier state hear of it. */
  public boolean upstreamsFault() {
    return this == UPSTREAM || this == IDLE;
  }
}
