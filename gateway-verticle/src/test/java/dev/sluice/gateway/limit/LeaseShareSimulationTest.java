package dev.sluice.gateway.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.gateway.config.RateLimitPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Four limiters (two nodes x two instances) hammer one client, as {@code LeasesAcrossNodesIT}
 * does, but on a fake clock: every {@link LeaseBook} runs as in the gateway and every script call
 * runs the real {@code sliding-window.lua} on a real Redis, whose {@code TIME} is replaced by the
 * simulated clock (and whose keys do not expire by the wall clock). Network and Redis delays are
 * simulated, seeded, so a run is the same on a quiet or a busy machine; only the event order
 * matters, never how long the machine took.
 *
 * <p>Claims: never more than the limit in any window-long span (judged as the IT does, from the
 * client: sent and answered in the span); under saturation, nearly all of the limit in every
 * window; far fewer script calls than requests.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LeaseShareSimulationTest {
  static final RateLimitPolicy POLICY = new RateLimitPolicy(300, 2_000);
  static final int LIMITERS = 4;
  static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  static final long US = TimeUnit.MICROSECONDS.toNanos(1);

  @RegisterExtension
  static final SimulatedClockRedis redis = new SimulatedClockRedis();

  @Test
  void fourLimitersHammeringOneClientAreNeverOverTheLimitAndAdmitNearlyAllOfItPerWindow() {
    for (long seed = 1; seed <= 2; seed++) {
      for (long gapUs : new long[] {250, 1_000}) {
        for (long rttUs : new long[] {300, 2_000}) {
          Result result = new Simulation(seed, gapUs * US, rttUs * US, 5).run();
          System.out.printf("seed %d, one request per %d us, round trip %d us: %s%n", seed, gapUs, rttUs, result);
          assertTrue(result.most() <= POLICY.limit(), "never over: " + result);
          assertEquals(4, result.perWindow().size(), result.toString());
          // Measured (seeds 1-2): the first window from the first 429 loses what the first burst's
          // leases push past it: 61-72 % of the limit at 4 requests per ms (31-33 % before a used-up
          // lease was re-scored at its last use), 83-84 % at 1 per ms. Once saturated, leases near
          // the limit are short and later windows get 95-100 %; the second is in between (80-95 %).
          for (int later : result.perWindow().subList(2, 4)) {
            assertTrue(later >= POLICY.limit() * 9 / 10, "under saturation, at least 90 % per window: " + result);
          }
          assertTrue(result.calls() * 4 <= result.requests(), "at most 0.25 calls per request: " + result);
        }
      }
    }
  }


  /** Admitted counts per window (from the first 429, by answer time, as the IT cuts them), the most in any span, script calls. */
  record Result(int requests, int admitted, int most, List<Integer> perWindow, int minSpan, int calls) {
    @Override
    public String toString() {
      return String.format("%d requests, %d admitted, most in a window-long span %d, per window %s, fewest in a window-long span %d, %d calls (%.3f per request)",
          requests, admitted, most, perWindow, minSpan, calls, (double) calls / requests);
    }
  }

  /** One run: a client sending a request every {@code gap} to the limiters in turn, for {@code windows} windows. */
  final class Simulation {
    private final Random random;
    private final long gap;
    private final long rtt;
    private final long until;
    private final AtomicLong clock = new AtomicLong();
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final List<Limiter> limiters = new ArrayList<>();
    private final String key = RateLimitKeys.key("sim-" + UUID.randomUUID(), "client");
    private final List<long[]> answers = new ArrayList<>(); // {sent, answered, admitted 1/0}
    private long sequence;
    private int calls;

    Simulation(long seed, long gap, long rtt, int windows) {
      this.random = new Random(seed);
      this.gap = gap;
      this.rtt = rtt;
      this.until = windows * POLICY.windowMs() * MS;
      for (int i = 0; i < LIMITERS; i++) {
        limiters.add(new Limiter("l" + i));
      }
    }

    Result run() {
      at(0, () -> send(0));
      Event next;
      while ((next = events.poll()) != null && next.at <= until + POLICY.windowMs() * MS) {
        clock.set(next.at);
        next.action.run();
      }
      return result();
    }

    private void send(int n) {
      long sent = clock.get();
      Limiter limiter = limiters.get(n % LIMITERS);
      at(sent + hop(), () -> {
        LeaseBook.Step step = limiter.book.acquire(key, POLICY);
        if (step.ask() != null) {
          limiter.ask(step.ask());
        }
        step.answer().onSuccess(decision -> {
          // An admitted request goes to the upstream first: its answer takes longer.
          long answered = clock.get() + hop() + (decision.allowed() ? 2 * MS : 0);
          answers.add(new long[] {sent, answered, decision.allowed() ? 1 : 0});
        });
      });
      if (sent + gap < until) {
        at(sent + gap, () -> send(n + 1));
      }
    }

    /** One way between client and gateway: 100-300 us. */
    private long hop() {
      return 100 * US + random.nextInt(200) * US;
    }

    private void at(long time, Runnable action) {
      events.add(new Event(time, sequence++, action));
    }

    /** Runs the script at Redis's (simulated) time, half a round trip after the call was sent; the answer takes the other half. */
    private void call(LeaseBook.Ask ask, java.util.function.Consumer<Grant> onAnswer) {
      long half = rtt / 2 + random.nextInt((int) Math.max(1, rtt / 4 / US)) * US;
      at(clock.get() + half, () -> {
        calls++;
        Grant grant = redis.execute(ask, clock.get());
        at(clock.get() + half, () -> onAnswer.accept(grant));
      });
    }


    private Result result() {
      long window = POLICY.windowMs() * MS;
      List<long[]> admitted = answers.stream().filter(a -> a[2] == 1).sorted((a, b) -> Long.compare(a[0], b[0])).toList();
      int most = 0;
      for (int i = 0; i < admitted.size(); i++) {
        long from = admitted.get(i)[0];
        int inSpan = 0;
        for (int j = i; j < admitted.size() && admitted.get(j)[0] < from + window; j++) {
          if (admitted.get(j)[1] < from + window) {
            inSpan++;
          }
        }
        most = Math.max(most, inSpan);
      }
      long first = answers.stream().filter(a -> a[2] == 0).mapToLong(a -> a[1]).min().orElse(Long.MAX_VALUE);
      long last = answers.stream().mapToLong(a -> a[1]).max().orElse(0);
      List<Integer> perWindow = new ArrayList<>();
      for (long from = first; first != Long.MAX_VALUE && from + window <= last; from += window) {
        long start = from;
        perWindow.add((int) admitted.stream().filter(a -> a[1] >= start && a[1] < start + window).count());
      }
      // The fewest admitted in any window-long span from the first 429 on (by answer time), in 1 ms steps.
      int minSpan = Integer.MAX_VALUE;
      for (long from = first; first != Long.MAX_VALUE && from + window <= last; from += MS) {
        long start = from;
        minSpan = Math.min(minSpan, (int) admitted.stream().filter(a -> a[1] >= start && a[1] < start + window).count());
      }
      if (Boolean.getBoolean("sim.debug")) {
        StringBuilder b = new StringBuilder("first 429 at " + (first / MS) + " ms; admitted per 10 ms (by answer):");
        long[] buckets = new long[(int) (until / (10 * MS)) + 300];
        admitted.forEach(a -> buckets[(int) (a[1] / (10 * MS))]++);
        for (int i = 0; i < buckets.length; i++) {
          if (buckets[i] > 0) {
            b.append(' ').append(i * 10).append(':').append(buckets[i]);
          }
        }
        System.out.println(b);
      }
      return new Result(answers.size(), admitted.size(), most, perWindow, minSpan, calls);
    }

    /** One limiter: its lease book and hand-back timer, as {@link RedisSlidingWindowLimiter} has them. */
    final class Limiter {
      final LeaseBook book;
      private final String id;
      private long grants;
      private boolean timerArmed;

      Limiter(String id) {
        this.id = id;
        this.book = new LeaseBook(clock::get, () -> id + ":" + ++grants, LeaseBook.MAX_CLIENTS);
      }

      void ask(LeaseBook.Ask ask) {
        call(ask, grant -> {
          LeaseBook.Ask next = book.granted(ask, grant);
          if (next != null) {
            ask(next);
          }
          armHandBacks();
        });
      }

      private void armHandBacks() {
        long delayMs = book.nextHandBackInMs();
        if (delayMs < 0 || timerArmed) {
          return;
        }
        timerArmed = true;
        at(clock.get() + Math.max(1, delayMs) * MS, () -> {
          timerArmed = false;
          for (LeaseBook.Ask handBack : book.dueHandBacks()) {
            call(handBack, grant -> { });
          }
          armHandBacks();
        });
      }
    }
  }

  private record Event(long at, long sequence, Runnable action) implements Comparable<Event> {
    @Override
    public int compareTo(Event other) {
      int byTime = Long.compare(at, other.at);
      return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
    }
  }
}
