package dev.sluice.gateway.upstream;

/** Hears of the ejections this instance decides, to share them with every other instance. */
public interface TargetListener {
  void ejected(String route, Target target, long forMs, int sequence, String reason);

  TargetListener NONE = (route, target, forMs, sequence, reason) -> { };
}
