package dev.sluice.gateway.upstream;

import dev.sluice.gateway.config.RouteConfig;
import dev.sluice.gateway.config.RoutePolicy;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.IntUnaryOperator;
import java.util.function.LongSupplier;

/**
 * The targets of one route on one verticle instance: which one the next attempt goes to, and
 * which are out. An attempt's outcome may eject its target (passive ejection); ejections and
 * health verdicts decided elsewhere arrive through {@link TargetSync}.
 */
public final class RouteTargets {
  private final String route;
  private final RoutePolicy policy;
  private final List<Target> targets;
  private final Balancer balancer;
  private final LongSupplier clock;
  private final TargetListener listener;
  private final String self;
  private final IntSupplier callers;

  /**
   * @param kept  states of targets from the route's previous table, by name: a reload keeps them
   * @param clock monotonic ms
   */
  RouteTargets(RouteConfig config, Map<String, TargetState> kept, LongSupplier clock, IntUnaryOperator random,
               TargetListener listener, String self) {
    this(config, kept, clock, random, listener, self, () -> 1);
  }

  /** @param callers nodes that called the route in the circuit's window, as this node has heard */
  RouteTargets(RouteConfig config, Map<String, TargetState> kept, LongSupplier clock, IntUnaryOperator random,
               TargetListener listener, String self, IntSupplier callers) {
    this.self = self;
    this.callers = callers;
    this.route = config.name();
    this.policy = config.policy();
    this.targets = config.targets().stream()
      .map(t -> new Target(t, kept.getOrDefault(t.name(), new TargetState()), config.tls(), config.h2()))
      .toList();
    this.balancer = Balancer.of(policy.balance(), random);
    this.clock = clock;
    this.listener = listener;
  }

  public String route() {
    return route;
  }

  public RoutePolicy policy() {
    return policy;
  }

  public List<Target> targets() {
    return targets;
  }

  public Optional<Target> find(String name) {
    return targets.stream().filter(t -> t.name().equals(name)).findFirst();
  }

  /**
   * The target of the next attempt: one not {@code tried} yet by this request when there is one
   * (a retry goes elsewhere), else any available one.
   *
   * @return null when every target is out
   */
  public Target pick(Collection<Target> tried) {
    long now = clock.getAsLong();
    if (targets.size() == 1) {
      // Most routes have one target: no lists, no balancer.
      Target only = targets.get(0);
      if (!only.state().available(now)) {
        return null;
      }
      only.state().started();
      return only;
    }
    List<Target> fresh = new ArrayList<>(targets.size());
    List<Target> available = new ArrayList<>(targets.size());
    for (Target target : targets) {
      if (target.state().available(now)) {
        available.add(target);
        if (!tried.contains(target)) {
          fresh.add(target);
        }
      }
    }
    if (available.isEmpty()) {
      return null;
    }
    Target picked = balancer.pick(fresh.isEmpty() ? available : fresh);
    picked.state().started();
    return picked;
  }

  /** Ejected or held down by its health check. */
  boolean isOut(Target target) {
    return !target.state().available(clock.getAsLong());
  }

  public boolean anyAvailable() {
    long now = clock.getAsLong();
    for (Target target : targets) {
      if (target.state().available(now)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Records the outcome of an attempt {@link #pick} sent to {@code target}. A failure is what the
   * route's circuit counts as one; the target that fails {@code outlier.consecutiveFailures} in a
   * row is ejected, unless as many targets as {@code maxEjectedPercent} allows are out already.
   */
  public void finished(Target target, UpstreamOutcome outcome) {
    if (outcome.kind() == UpstreamOutcome.Kind.REQUEST_ABORTED || outcome.kind() == UpstreamOutcome.Kind.BUSY) {
      // Neither a success nor a failure of the target: it never saw the request (BUSY), or the
      // client cut it short.
      target.state().abandoned();
      return;
    }
    // The outcome, not its text: the reason is written only when the target is ejected, not on every answer.
    ejectAfter(target, target.state().finished(outcome.isFailure(policy.circuit().failureStatuses())), outcome);
  }

  /** The target broke off an answer whose head it had sent: a failure of that attempt after all. */
  public void failedAfterHead(Target target, String why) {
    ejectAfter(target, target.state().failedAfterHead(), why);
  }

  /** @param last what the attempt came back with, for the ejection's reason */
  void finished(Target target, boolean failure, String last) {
    ejectAfter(target, target.state().finished(failure), last);
  }

  /** @param last what the attempt came back with (its {@code toString} is the reason's end) */
  private void ejectAfter(Target target, int inARow, Object last) {
    OutlierOptions outlier = policy.outlier();
    long now = clock.getAsLong();
    if (inARow < outlier.consecutiveFailures() || target.state().ejected(now)
      || ejectedCount(now) >= outlier.maxEjected(targets.size())) {
      return;
    }
    TargetState.Ejection ejection = target.state().nextEjection(outlier, now);
    String reason = inARow + " failures in a row, the last " + last;
    if (target.state().eject(now, ejection.forMs(), ejection.sequence(), self, reason)) {
      listener.ejected(route, target, ejection.forMs(), ejection.sequence(), reason);
    }
  }

  private int ejectedCount(long now) {
    int count = 0;
    for (Target target : targets) {
      if (target.state().ejected(now)) {
        count++;
      }
    }
    return count;
  }

  /**
   * For a 503 NO_HEALTHY_UPSTREAM: when the first ejection ends, or, with every target held down
   * by its health check, the time that check needs to take one back.
   */
  public long retryAfterMs() {
    long now = clock.getAsLong();
    long soonest = Long.MAX_VALUE;
    for (Target target : targets) {
      TargetState state = target.state();
      long wait = state.unhealthy()
        ? policy.health().intervalMs() * policy.health().healthyAfter()
        : state.remainingMs(now);
      soonest = Math.min(soonest, Math.max(wait, state.remainingMs(now)));
    }
    return soonest == Long.MAX_VALUE ? 1000 : soonest;
  }

  /**
   * An ejection decided by {@code byNode}'s own failures. This node's ejections apply at once on
   * all its instances. Another node's is a vote: it applies here only while the nodes ejecting
   * the target are a quorum of the nodes that call the route (the circuit's rule), so a target one
   * node cannot reach (its network, its DNS) stays in for the nodes that reach it.
   */
  void ejectedElsewhere(String name, long forMs, int sequence, String byNode, String reason) {
    find(name).ifPresent(t -> {
      long now = clock.getAsLong();
      if (byNode.equals(self)) {
        t.state().eject(now, forMs, sequence, byNode, reason);
        return;
      }
      int voters = t.state().ejectedByNode(byNode, now + forMs, now);
      int callingNodes = Math.max(voters, callers.getAsInt());
      if (voters >= policy.circuit().quorum().required(callingNodes)) {
        t.state().eject(now, forMs, sequence, byNode,
          reason + " (ejected by " + voters + " of " + callingNodes + " calling nodes)");
      }
    });
  }

  void returnedElsewhere(String name, int sequence, String byNode) {
    find(name).ifPresent(t -> {
      long now = clock.getAsLong();
      t.state().returnedOnNode(byNode, now);
      t.state().returned(now, sequence);
    });
  }

  /** How many other nodes hold an ejection of {@code target} now (votes that did not form a quorum here included). */
  public int ejectingNodes(Target target) {
    return target.state().ejectingNodes(clock.getAsLong());
  }

  /** The health check's verdict; a target found healthy is taken back even if it was ejected. */
  void health(String name, boolean down, String by, String reason) {
    find(name).ifPresent(t -> {
      t.state().unhealthy(down, by, reason);
      if (!down) {
        t.state().returned(clock.getAsLong(), 0);
      }
    });
  }

  /** This instance's view, for {@code GET /__upstreams}. */
  public TargetsSnapshot.RouteView view() {
    long now = clock.getAsLong();
    List<TargetsSnapshot.TargetView> views = new ArrayList<>(targets.size());
    for (Target target : targets) {
      TargetState state = target.state();
      TargetsSnapshot.Status status = state.unhealthy() ? TargetsSnapshot.Status.UNHEALTHY
        : state.ejected(now) ? TargetsSnapshot.Status.EJECTED : TargetsSnapshot.Status.UP;
      views.add(new TargetsSnapshot.TargetView(target.name(), target.weight(), status, state.inFlight(),
        state.requests(), state.failures(), state.consecutiveFailures(), state.ejections(), state.ejectedBy(),
        state.reason(), state.remainingMs(now)));
    }
    return new TargetsSnapshot.RouteView(route, policy.balance().text(), policy.health().enabled(), views);
  }
}
