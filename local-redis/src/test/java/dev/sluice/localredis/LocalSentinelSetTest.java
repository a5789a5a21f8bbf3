package dev.sluice.localredis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LocalSentinelSetTest {
  /** Detection ({@value LocalSentinelSet#DOWN_AFTER_MS} ms) plus a promotion: seconds; this is ten times over. */
  private static final long FAILOVER_BOUND_MS = 30_000;

  @Test
  void aCrashedMasterIsReplacedByItsReplica() {
    List<RedisServerProcess> servers = new ArrayList<>();
    try (LocalSentinelSet set = LocalSentinelSet.start(1)) {
      servers.add(set.initialMaster());
      servers.add(set.initialReplica());
      servers.addAll(set.sentinels());
      assertEquals(set.initialMaster(), set.currentMaster());
      RedisCommands.call(set.initialMaster().port(), "SET", "before", "failover");
      // Replication is asynchronous: the write must be readable on the replica before the crash.
      // (WAIT answered 1 while the replica could not read it yet, right after its first sync.)
      BoundedPoll.until(10_000, "the write readable on the replica",
          () -> "failover".equals(RedisCommands.call(set.initialReplica().port(), "GET", "before")));

      set.initialMaster().crash();
      RedisServerProcess promoted = set.awaitFailoverFrom(set.initialMaster(), FAILOVER_BOUND_MS);

      assertEquals(set.initialReplica(), promoted);
      assertEquals("failover", RedisCommands.call(promoted.port(), "GET", "before"), "replicated before the crash");
      assertEquals("OK", RedisCommands.call(promoted.port(), "SET", "after", "failover"), "the new master takes writes");
    }
    for (RedisServerProcess server : servers) {
      assertFalse(server.isRunning());
    }
  }
}
