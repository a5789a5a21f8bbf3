package dev.sluice.gateway.limit;

import dev.sluice.gateway.config.RateLimitPolicy;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One limiter's leases: which clients hold slots reserved in Redis, and which requests can be
 * answered here without asking Redis.
 *
 * <p>The invariant (also in {@code sliding-window.lua} and docs/architecture.md, "Never over"):
 * <ul>
 *   <li><b>Never over the limit.</b> A request is admitted here only with a slot that Redis
 *       reserved with a score no earlier than the request: a lease's slots carry the lease's end
 *       as their score and are used only before that end, which is measured from when the call was
 *       sent (before Redis read its clock), and for a long lease a little before it (clocks drift:
 *       {@link LeaseSizing#DRIFT_DIVISOR}). So every admitted request stays in the window at least
 *       one window length after it happened, and since Redis never holds more than the limit, no
 *       window-long span admits more than the limit, across any number of nodes and instances.
 *       Requests that waited for a call are decided at Redis's time, as every request is without
 *       leases.</li>
 *   <li><b>Under-served by at most one lease's slots per node, which come back when it ends.</b>
 *       Slots a lease did not use are blocked for other nodes until they are handed back: at the
 *       lease's end, with the client's next call (a long lease waits a couple of the client's gaps
 *       for it, {@link ClientLease#handBackGraceNanos}) or by {@link #dueHandBacks()}; sooner when
 *       the client goes quiet and is forgotten ({@link ClientLease#quietNanos}). A used slot counts
 *       until a window after its member's score: the lease's end, or its last use once re-scored
 *       (at the hand-back, or for a lease used up early, with the client's next call), so the
 *       used slots of the lease that spans a window's start count up to one lease longer than
 *       their requests.</li>
 * </ul>
 * So a lease is only as long as the room it leaves: a grant that Redis cut short near the limit
 * ends as much sooner, one with no spare slot is no lease at all ({@link LeaseSizing#leaseNanos},
 * the same rule as the script's), and a long lease shrinks as the client's rate nears its limit,
 * to none at it ({@link LeaseSizing#longLeaseMs}). Rejections are answered here until Redis said a
 * slot can free (the oldest entry leaves, or a running lease ends), and for one short lease period
 * at most, since another node may hand slots back sooner.
 *
 * <p>A client seen once gets no spare slots: one script call per request. Seen again, it leases
 * ({@link LeaseSizing#plan}): for up to a window when steady and far below its limit, for a short
 * period when hot. Concurrent requests of one client share a call: while one is in flight, later
 * ones wait for it and take its slots (or ask again).
 *
 * <p>Bounded: clients gone quiet (idle for {@link #IDLE_MS}, or a few of their usual gaps) are
 * forgotten, handing back what their lease holds, and beyond {@code maxClients} the least recently
 * seen is. Thread-safe (one lock, uncontended: a limiter serves one event loop); promises are
 * completed outside the lock.
 */
final class LeaseBook {
  static final long IDLE_MS = 1_000;
  static final int MAX_CLIENTS = 10_000;
  private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(IDLE_MS);

  private final LongSupplier nanos;
  private final Supplier<String> grantIds;
  private final int maxClients;
  /** Access order: the eldest entry is the client seen longest ago. */
  private final LinkedHashMap<String, ClientLease> clients = new LinkedHashMap<>(64, 0.75f, true);
  /** Leases that may owe slots back, soonest end first. */
  private final PriorityQueue<Running> running = new PriorityQueue<>((a, b) -> Long.compare(a.dueAt - b.dueAt, 0));
  /** Hand-backs of clients forgotten or reset while holding unused slots. */
  private final List<Ask> orphans = new ArrayList<>();
  private long nextIdleSweep;

  LeaseBook(LongSupplier nanos, Supplier<String> grantIds, int maxClients) {
    this.nanos = nanos;
    this.grantIds = grantIds;
    this.maxClients = maxClients;
    this.nextIdleSweep = nanos.getAsLong() + IDLE_NANOS;
  }

  /** The answer for one request, and the script call to make for it, if any. */
  record Step(Future<RateLimitDecision> answer, Ask ask, boolean handBacksDue) {
  }

  /**
   * One script call: {@code need} slots for the requests waiting, {@code spare} more for a lease of
   * {@code leaseMs}, and a hand-back ({@code handBack} becomes {@code handBackAs}). A hand-back
   * alone ({@code need == 0}) has no client to report to.
   */
  record Ask(ClientLease client, String key, RateLimitPolicy policy, String grantId, int need, int spare,
             long leaseMs, String handBack, String handBackAs, long earlierByUs, long sentAt) {
  }

  /**
   * One request of {@code key}: its answer, and the script call to make for it, if any. {@link
   * Step#handBacksDue} says a client forgotten meanwhile left slots to hand back: send {@link
   * #dueHandBacks()} now rather than at the next lease's end.
   */
  Step acquire(String key, RateLimitPolicy policy) {
    long now = nanos.getAsLong();
    synchronized (this) {
      sweepIdle(now);
      ClientLease client = clients.get(key);
      if (client == null) {
        client = new ClientLease(key, policy, now);
        clients.put(key, client);
        if (clients.size() > maxClients) {
          forget(clients.values().iterator(), now);
        }
      } else if (!client.policy.equals(policy)) {
        orphanHandBack(client, now, true);
        client.use(policy, now);
      }
      boolean handBacksDue = !orphans.isEmpty();
      client.observe(now);
      if (client.inFlight()) {
        Promise<RateLimitDecision> waiter = Promise.promise();
        client.waiting.add(waiter);
        return new Step(waiter.future(), null, handBacksDue);
      }
      if (client.hasSlot(now)) {
        client.use(now);
        return new Step(Future.succeededFuture(client.allowedHere(now)), null, handBacksDue);
      }
      if (now - client.retryAt < 0) {
        return new Step(Future.succeededFuture(client.rejectedHere(now)), null, handBacksDue);
      }
      Promise<RateLimitDecision> waiter = Promise.promise();
      client.waiting = new ArrayList<>(4);
      client.waiting.add(waiter);
      return new Step(waiter.future(), ask(client, now), handBacksDue);
    }
  }

  /**
   * Redis answered {@code ask}: its slots go to the requests that waited, in order, and the rest
   * become the lease. Requests that arrived after the call was sent and find no slot ask again
   * (the returned call), unless the window is full.
   */
  Ask granted(Ask ask, Grant grant) {
    // Mostly one request waited (a client seen now and then): no list for it.
    Promise<RateLimitDecision> onlyWaiter = null;
    RateLimitDecision onlyDecision = null;
    List<Completion> done = null;
    Ask next = null;
    long now = nanos.getAsLong();
    synchronized (this) {
      ClientLease client = ask.client();
      List<Promise<RateLimitDecision>> waiting = client.waiting;
      client.waiting = null;
      client.grantId = ask.grantId();
      client.granted = grant.granted();
      client.used = 0;
      long leaseNanos = LeaseSizing.leaseNanos(ask.leaseMs(), ask.spare(), grant.granted() - ask.need());
      boolean longLease = client.sizing.isLong(ask.leaseMs());
      client.leased = leaseNanos > 0;
      client.handedBack = false;
      // A long lease stops a little before its end as this clock reads it: Redis's may run slower.
      client.endsAt = ask.sentAt() + (longLease ? leaseNanos - leaseNanos / LeaseSizing.DRIFT_DIVISOR : leaseNanos);
      client.remainingAfterGrant = grant.remaining();
      client.resetAt = ask.sentAt() + TimeUnit.MILLISECONDS.toNanos(grant.resetMs());
      client.retryAt = grant.remaining() > 0 ? ask.sentAt() : ask.sentAt() + TimeUnit.MILLISECONDS.toNanos(localRejectMs(client, grant));
      if (client.leased && grant.granted() > 0) {
        running.add(new Running(client, ask.grantId(), client.endsAt + client.handBackGraceNanos(leaseNanos, ask.leaseMs())));
      }
      int limit = ask.policy().limit();
      List<Promise<RateLimitDecision>> left = null;
      for (Promise<RateLimitDecision> waiter : waiting) {
        RateLimitDecision decision = null;
        if (client.used < client.granted) {
          client.use(now);
          decision = new RateLimitDecision(true, limit, grant.remaining() + client.granted - client.used, grant.resetMs());
        } else if (grant.remaining() == 0) {
          decision = new RateLimitDecision(false, limit, 0, grant.resetMs());
        }
        if (decision != null && onlyWaiter == null && done == null) {
          onlyWaiter = waiter;
          onlyDecision = decision;
        } else if (decision != null) {
          if (done == null) {
            done = new ArrayList<>(waiting.size());
          }
          done.add(new Completion(waiter, decision));
        } else {
          if (left == null) {
            left = new ArrayList<>();
          }
          left.add(waiter);
        }
      }
      if (left != null) {
        client.waiting = left;
        next = ask(client, now);
      }
    }
    if (onlyWaiter != null) {
      onlyWaiter.complete(onlyDecision);
    }
    if (done != null) {
      for (Completion completion : done) {
        completion.waiter.complete(completion.decision);
      }
    }
    return next;
  }

  /**
   * A request that took a slot of {@code key}'s current grant was answered otherwise after all
   * (Redis's answer came after the caller's deadline): its slot goes back. A running lease keeps it
   * for the next request here (and hands it back with the rest when it ends); a grant scored now
   * returns it to Redis at once, by the call this returns (null: nothing to send). Called while
   * that grant is still the client's current one: from the completion of the request's answer.
   */
  Ask giveBack(String key) {
    long now = nanos.getAsLong();
    synchronized (this) {
      ClientLease client = clients.get(key);
      if (client == null || client.used == 0) {
        return null;
      }
      client.used--;
      if (client.leased) {
        return null;
      }
      String member = WeightedMember.name(client.grantId, client.granted);
      client.granted = client.used;
      return new Ask(null, client.key, client.policy, client.grantId, 0, 0, 0,
          member, WeightedMember.name(client.grantId, client.used), 0, now);
    }
  }

  /** The call failed: every request that waited for it fails with it (the caller's fallback answers). */
  void failed(Ask ask, Throwable cause) {
    List<Promise<RateLimitDecision>> waiting;
    synchronized (this) {
      waiting = ask.client().waiting;
      ask.client().waiting = null;
    }
    if (waiting != null) {
      waiting.forEach(waiter -> waiter.fail(cause));
    }
  }

  /** Hand-backs due now: leases that ended with slots unused, whose client has not asked again since. */
  synchronized List<Ask> dueHandBacks() {
    long now = nanos.getAsLong();
    List<Ask> due = new ArrayList<>(orphans);
    orphans.clear();
    Running head;
    while ((head = running.peek()) != null && now - head.dueAt >= 0) {
      running.poll();
      ClientLease client = head.client;
      if (head.grantId.equals(client.grantId) && !client.inFlight() && client.owesHandBack(now)) {
        due.add(handBack(client, now));
      }
    }
    return due;
  }

  /** Ms until the next hand-back may be due; -1 when none can be. */
  synchronized long nextHandBackInMs() {
    if (!orphans.isEmpty()) {
      return 0;
    }
    Running head = running.peek();
    return head == null ? -1 : ClientLease.msUntil(head.dueAt, nanos.getAsLong());
  }

  synchronized int clients() {
    return clients.size();
  }

  private Ask ask(ClientLease client, long now) {
    int need = client.waiting.size();
    LeaseSizing.Plan plan = client.sizing.plan(client.perLease(), Math.max(client.perSecond(), client.windowPerSecond()), need);
    String handBack = "";
    String handBackAs = "";
    long earlierByUs = 0;
    if (client.owesHandBack(now) || client.usedUpEarly()) {
      handBack = WeightedMember.name(client.grantId, client.granted);
      handBackAs = WeightedMember.name(client.grantId, client.used);
      earlierByUs = client.lastUseBeforeEndUs();
      client.handedBack = true;
    }
    return new Ask(client, client.key, client.policy, grantIds.get(), need, plan.spare(), plan.leaseMs(),
        handBack, handBackAs, earlierByUs, now);
  }

  /**
   * How long a full window is answered here without asking Redis: until Redis said a slot can
   * free, but never longer than one lease period. Another node's lease may hand its unused slots
   * back before then, and the promise is to under-serve by one lease period at most.
   */
  private static long localRejectMs(ClientLease client, Grant grant) {
    return client.sizing.leases() ? Math.min(grant.retryMs(), client.sizing.leaseMs()) : grant.retryMs();
  }

  private Ask handBack(ClientLease client, long now) {
    client.handedBack = true;
    return new Ask(null, client.key, client.policy, client.grantId, 0, 0, 0,
        WeightedMember.name(client.grantId, client.granted), WeightedMember.name(client.grantId, client.used),
        client.lastUseBeforeEndUs(), now);
  }

  /**
   * A client forgotten or reset gives back what its lease has not used, ended or not: this book
   * will not admit anything more with it.
   */
  private void orphanHandBack(ClientLease client, long now, boolean evenIfRunning) {
    if (client.leased && !client.handedBack && client.used < client.granted
        && (evenIfRunning || client.owesHandBack(now))) {
      orphans.add(handBack(client, now));
    }
    client.granted = 0;
    client.used = 0;
  }

  /**
   * Forgets clients gone quiet, at most once per {@link #IDLE_MS}: idle for {@link #IDLE_MS}, or
   * for a few of their usual gaps when those are longer ({@link ClientLease#quietNanos}), so a
   * client seen every few seconds keeps its long lease, and one that stopped hands its unused
   * slots back then (with the next {@link #dueHandBacks()}), not only at its lease's end, up to a
   * window later. Eldest first, so it stops at the first one seen within {@link #IDLE_MS}.
   */
  private void sweepIdle(long now) {
    if (now - nextIdleSweep < 0) {
      return;
    }
    nextIdleSweep = now + IDLE_NANOS;
    Iterator<ClientLease> eldestFirst = clients.values().iterator();
    while (eldestFirst.hasNext()) {
      ClientLease client = eldestFirst.next();
      long idle = now - client.lastSeen;
      if (idle < IDLE_NANOS) {
        return;
      }
      if (!client.inFlight() && idle >= client.quietNanos(IDLE_NANOS)) {
        forget(eldestFirst, client, now);
      }
    }
  }

  private void forget(Iterator<ClientLease> eldestFirst, long now) {
    ClientLease eldest = eldestFirst.next();
    forget(eldestFirst, eldest, now);
  }

  private void forget(Iterator<ClientLease> at, ClientLease client, long now) {
    at.remove();
    orphanHandBack(client, now, true);
  }

  /** A lease that may owe slots back from {@code dueAt}: its end, or a little later for a long one (its client's next call may carry them). */
  private record Running(ClientLease client, String grantId, long dueAt) {
  }

  private record Completion(Promise<RateLimitDecision> waiter, RateLimitDecision decision) {
  }
}
