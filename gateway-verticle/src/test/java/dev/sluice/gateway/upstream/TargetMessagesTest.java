package dev.sluice.gateway.upstream;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The messages of the targets' addresses read back what they wrote. */
class TargetMessagesTest {
  @Test
  void aTargetEventCarriesADurationNeverAnInstant() {
    TargetEvent event = new TargetEvent("users", "http://a:1", TargetEvent.Kind.EJECTED, 30_000, 2, "node-1", "i-1",
      "5 failures in a row");
    assertEquals(event, TargetEvent.fromJson(event.toJson()));
    assertEquals(List.of("route", "target", "kind", "forMs", "sequence", "node", "instance", "reason"),
      List.copyOf(event.toJson().fieldNames()));
    assertEquals("users http://a:1 outlier", event.mapKey());
  }

  @Test
  void aSnapshotReadsBackWhatItWrote() {
    TargetsSnapshot snapshot = new TargetsSnapshot("node-1", "i-1", List.of(new TargetsSnapshot.RouteView("users",
      "round-robin", true, List.of(
        new TargetsSnapshot.TargetView("http://a:1", 2, TargetsSnapshot.Status.UP, 1, 10, 0, 0, 0, "", "", 0),
        new TargetsSnapshot.TargetView("http://b:1", 1, TargetsSnapshot.Status.EJECTED, 0, 7, 5, 0, 1, "node-2",
          "5 failures in a row", 12_000)))));
    assertEquals(snapshot, TargetsSnapshot.fromJson(snapshot.toJson()));
  }
}
