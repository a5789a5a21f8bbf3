package dev.sluice.gateway.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlineQueueTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  @Test
  void answersInTimePassThroughAndSilenceTimesOut() throws Exception {
    DeadlineQueue deadlines = new DeadlineQueue(vertx, 50, "Redis");
    Promise<String> answered = Promise.promise();
    Promise<String> failed = Promise.promise();
    Promise<String> silent = Promise.promise();
    Future<String> a = deadlines.within(answered.future());
    Future<String> b = deadlines.within(failed.future());
    Future<String> c = deadlines.within(silent.future());
    answered.complete("ok");
    failed.fail(new IllegalStateException("boom"));

    assertEquals("ok", a.await());
    assertEquals("boom", failedWith(b).getMessage());
    Throwable timeout = failedWith(c);
    assertInstanceOf(TimeoutException.class, timeout);
    assertEquals("Redis did not answer within 50 ms", timeout.getMessage());
    silent.complete("late");
    assertTrue(c.failed(), "a late answer is dropped");
  }

  @Test
  void everySilentCallTimesOutAndTheQueueEmpties() throws Exception {
    DeadlineQueue deadlines = new DeadlineQueue(vertx, 20, "Redis");
    List<Future<String>> calls = new ArrayList<>();
    // Started in three waves, so the timer must re-arm for calls behind the first expired ones.
    for (int wave = 0; wave < 3; wave++) {
      for (int i = 0; i < 100; i++) {
        Promise<String> answered = Promise.promise();
        calls.add(deadlines.within(answered.future()));
        if (i % 2 == 0) {
          answered.complete("ok");
        }
      }
      vertx.timer(7).await();
    }
    for (int i = 0; i < calls.size(); i++) {
      Future<String> call = calls.get(i);
      if (i % 2 == 0) {
        assertEquals("ok", call.await());
      } else {
        assertInstanceOf(TimeoutException.class, failedWith(call));
      }
    }
    assertEquals(0, deadlines.size());
  }

  @Test
  void anAlreadyAnsweredCallIsNotQueued() {
    DeadlineQueue deadlines = new DeadlineQueue(vertx, 50, "Redis");
    assertEquals("ok", deadlines.within(Future.succeededFuture("ok")).await());
    assertEquals(0, deadlines.size());
  }

  private static Throwable failedWith(Future<?> future) {
    try {
      future.await();
    } catch (Throwable expected) {
      return expected;
    }
    throw new AssertionError("expected a failure, got " + future.result());
  }
}
