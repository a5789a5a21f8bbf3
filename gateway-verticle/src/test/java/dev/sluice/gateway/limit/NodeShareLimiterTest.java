package dev.sluice.gateway.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.gateway.config.RateLimitPolicy;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NodeShareLimiterTest {
  private final AtomicLong clock = new AtomicLong(1_000);
  private final AtomicInteger nodes = new AtomicInteger(1);
  private final NodeShareLimiter limiter = new NodeShareLimiter(new LocalSlidingWindowLimiter(clock::get), nodes::get);

  @Test
  void eachNodeEnforcesTheLimitDividedByTheLiveNodesRoundedDownButAtLeastOne() {
    assertEquals(50, NodeShareLimiter.share(50, 1));
    assertEquals(25, NodeShareLimiter.share(50, 2));
    assertEquals(16, NodeShareLimiter.share(50, 3));
    assertEquals(1, NodeShareLimiter.share(2, 3));
    assertEquals(1, NodeShareLimiter.share(1, 100));
    assertEquals(0, NodeShareLimiter.share(0, 2));
    assertEquals(50, NodeShareLimiter.share(50, 0), "a count below one is this node alone");
  }

  @Test
  void twoLiveNodesHalveWhatOneNodeAdmitsInAWindow() {
    nodes.set(2);
    assertEquals(25, admitted("c", new RateLimitPolicy(50, 60_000), 200));
  }

  @Test
  void theShareFollowsMembershipChangesWithinTheSameWindow() {
    RateLimitPolicy fifty = new RateLimitPolicy(50, 60_000);
    nodes.set(5);
    assertEquals(10, admitted("c", fifty, 100));
    nodes.set(2); // three nodes left: the survivors' share grows, counted against what they admitted
    assertEquals(15, admitted("c", fifty, 100));
    nodes.set(10); // a bigger cluster: nothing more until the window slides
    assertEquals(0, admitted("c", fifty, 100));
    clock.addAndGet(60_000);
    assertEquals(5, admitted("c", fifty, 100));
  }

  @Test
  void theDecisionReportsThisNodesShare() {
    nodes.set(2);
    RateLimitDecision first = limiter.acquire("r", "c", new RateLimitPolicy(50, 60_000)).result();
    assertEquals(25, first.limit());
    assertEquals(24, first.remaining());
  }

  private long admitted(String client, RateLimitPolicy policy, int requests) {
    long allowed = 0;
    for (int i = 0; i < requests; i++) {
      if (limiter.acquire("r", client, policy).result().allowed()) {
        allowed++;
      }
    }
    return allowed;
  }
}
