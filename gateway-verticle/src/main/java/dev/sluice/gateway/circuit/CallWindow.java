package dev.sluice.gateway.circuit;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One route's calls and failures in the rolling window, per node, as this instance has seen and
 * heard them: what the quorum rule needs (how many nodes called the route, how many of them
 * failed) as well as the cluster-wide failure count.
 */
final class CallWindow {
  private final long windowMs;
  private final Map<String, FailureWindow> failures = new HashMap<>();
  private final Map<String, Long> lastCall = new HashMap<>();

  CallWindow(long windowMs) {
    this.windowMs = windowMs;
  }

  void called(String node, long nowMs) {
    lastCall.merge(node, nowMs, Math::max);
  }

  void failed(String node, long nowMs, long n) {
    called(node, nowMs);
    failures.computeIfAbsent(node, k -> new FailureWindow(windowMs)).add(nowMs, n);
  }

  long failures(long nowMs) {
    return failures.values().stream().mapToLong(w -> w.count(nowMs)).sum();
  }

  long failures(String node, long nowMs) {
    FailureWindow window = failures.get(node);
    return window == null ? 0 : window.count(nowMs);
  }

  Set<String> failingNodes(long nowMs) {
    return failures.entrySet().stream().filter(e -> e.getValue().count(nowMs) > 0).map(Map.Entry::getKey)
      .collect(Collectors.toSet());
  }

  /** When the oldest failure in the window happened, on any node; Long.MAX_VALUE when none did. */
  long oldestFailureMs(long nowMs) {
    return failures.values().stream().mapToLong(w -> w.oldestMs(nowMs)).min().orElse(Long.MAX_VALUE);
  }

  /** Nodes that called the route within the window (a failure is a call). */
  int callers(long nowMs) {
    lastCall.values().removeIf(at -> at <= nowMs - windowMs);
    return lastCall.size();
  }

  /** The circuit closed: failures before now no longer count; who called still does. */
  void clearFailures() {
    failures.clear();
  }
}
