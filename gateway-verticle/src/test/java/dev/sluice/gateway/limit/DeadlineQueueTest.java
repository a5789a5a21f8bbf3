package dev.sluice.gateway.limit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;
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

  /**
   * The answer arrives in time but our loop is busy (here: 300 ms in another connection's handler)
   * and its deadline timer comes due meanwhile. A loop runs due timers before it selects again, so
   * without reading first the answer would sit in the socket while the call is failed as late.
   */
  @Test
  void anAnswerThatArrivedWhileOurLoopWasBusyIsReadBeforeTheDeadlineJudges() throws Exception {
    Vertx callee = Vertx.vertx();
    try {
      // The callee answers "pong" 20 ms after "ping" (so after our loop has started its busy spell),
      // and "go" at once (what makes our loop busy).
      NetServer server = callee.createNetServer().connectHandler(socket -> socket.handler(data -> {
        if (data.toString().equals("ping")) {
          callee.setTimer(20, id -> socket.write("pong"));
        } else {
          socket.write("go");
        }
      }));
      int port = server.listen(0, "127.0.0.1").await().actualPort();
      Context loop = vertx.getOrCreateContext();
      Promise<Future<String>> outcome = Promise.promise();
      loop.runOnContext(v -> {
        NetClient client = vertx.createNetClient();
        Future.all(client.connect(port, "127.0.0.1"), client.connect(port, "127.0.0.1")).onSuccess(both -> {
          NetSocket answering = both.resultAt(0);
          NetSocket busy = both.resultAt(1);
          DeadlineQueue deadlines = new DeadlineQueue(vertx, 50, "Redis");
          Promise<String> pong = Promise.promise();
          answering.handler(data -> pong.tryComplete(data.toString()));
          busy.handler(data -> spin(300)); // in this loop's I/O phase, as a cold request handler would be
          outcome.complete(deadlines.within(pong.future()));
          answering.write("ping");
          busy.write("go");
        }).onFailure(outcome::fail);
      });
      assertEquals("pong", outcome.future().await().await());
    } finally {
      callee.close().await();
    }
  }

  private static void spin(long ms) {
    long until = System.nanoTime() + ms * 1_000_000;
    while (System.nanoTime() < until) {
      Thread.onSpinWait();
    }
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
