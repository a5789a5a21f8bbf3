package dev.sluice.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** The live-node count the limiter's fallback divides by follows real Hazelcast members joining and leaving. */
class ClusterMembersTest {
  private static final long BOUND_MS = 30_000;
  private final String cluster = "sluice-members-test-" + UUID.randomUUID();
  private final List<HazelcastInstance> members = new ArrayList<>();

  @AfterEach
  void stop() {
    members.forEach(m -> m.getLifecycleService().terminate());
  }

  @Test
  void theCountFollowsMembersJoiningAndLeaving() throws Exception {
    int port = SluiceJarIT.freePort();
    HazelcastInstance first = member(port);
    ClusterMembers count = ClusterMembers.watch(first.getCluster());
    assertEquals(1, count.getAsInt());

    HazelcastInstance second = member(port);
    awaitCount(count, 2);

    second.getLifecycleService().terminate();
    awaitCount(count, 1);
  }

  private HazelcastInstance member(int port) {
    Config config = new Config().setClusterName(cluster);
    config.setProperty("hazelcast.local.localAddress", "127.0.0.1");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.getNetworkConfig().setPort(port).setPortAutoIncrement(true).setPortCount(5);
    JoinConfig join = config.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    for (int p = port; p < port + 5; p++) {
      join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + p);
    }
    HazelcastInstance instance = Hazelcast.newHazelcastInstance(config);
    members.add(instance);
    return instance;
  }

  /** Polls with a bound; the pause is a wait on an object nobody notifies, not a sleep of the code under test. */
  private static void awaitCount(IntSupplier count, int expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS);
    Object pause = new Object();
    while (System.nanoTime() < deadline) {
      if (count.getAsInt() == expected) {
        return;
      }
      synchronized (pause) {
        pause.wait(50);
      }
    }
    fail("live nodes stayed " + count.getAsInt() + ", expected " + expected + " within " + BOUND_MS + " ms");
  }
}
