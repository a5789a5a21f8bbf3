package dev.sluice.app;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommandTest {
  @Test
  void runTakesAConfigAndInstances() {
    Command c = Command.parse(new String[] {"run", "--config", "g.yaml", "--instances", "4"}, Map.of());
    assertEquals(Command.Kind.RUN, c.kind());
    assertEquals(Path.of("g.yaml"), c.config());
    assertEquals(4, c.instances());
  }

  @Test
  void instancesComeFromTheEnvironmentUnlessGiven() {
    assertEquals(3, Command.parse(new String[] {"demo"}, Map.of("SLUICE_INSTANCES", "3")).instances());
    assertEquals(2, Command.parse(new String[] {"run", "--config", "g.yaml", "--instances", "2"},
      Map.of("SLUICE_INSTANCES", "3")).instances());
  }

  @Test
  void instancesDefaultToTheNumberOfCoresAndStayOverridable() {
    String[] run = {"run", "--config", "g.yaml"};
    assertEquals(8, Command.parse(run, Map.of(), 8).instances());
    assertEquals(1, Command.parse(run, Map.of(), 1).instances());
    assertEquals(8, Command.parse(run, Map.of("SLUICE_INSTANCES", " "), 8).instances(), "blank counts as unset");
    assertEquals(3, Command.parse(run, Map.of("SLUICE_INSTANCES", "3"), 8).instances());
    assertEquals(2, Command.parse(new String[] {"run", "--config", "g.yaml", "--instances", "2"},
      Map.of("SLUICE_INSTANCES", "3"), 8).instances());
    assertEquals(Runtime.getRuntime().availableProcessors(), Command.parse(run, Map.of()).instances());
  }

  @Test
  void theShutdownGraceIsTenSecondsUnlessTheEnvironmentSaysOtherwise() {
    String[] run = {"run", "--config", "g.yaml"};
    assertEquals(Duration.ofSeconds(10), Command.parse(run, Map.of()).shutdownGrace());
    assertEquals(Duration.ofSeconds(10), Command.parse(run, Map.of("SLUICE_SHUTDOWN_GRACE_SECONDS", " ")).shutdownGrace());
    assertEquals(Duration.ofSeconds(25), Command.parse(run, Map.of("SLUICE_SHUTDOWN_GRACE_SECONDS", "25")).shutdownGrace());
    assertEquals(Duration.ZERO, Command.parse(run, Map.of("SLUICE_SHUTDOWN_GRACE_SECONDS", "0")).shutdownGrace());
    for (String bad : new String[] {"-1", "3601", "10s", "1.5"}) {
      String message = assertThrows(UsageException.class,
        () -> Command.parse(run, Map.of("SLUICE_SHUTDOWN_GRACE_SECONDS", bad))).getMessage();
      assertTrue(message.startsWith("SLUICE_SHUTDOWN_GRACE_SECONDS:") && message.contains("'" + bad + "'"), message);
    }
  }

  @Test
  void mistakesAreNamed() {
    assertTrue(message(new String[] {}).contains("missing command"));
    assertTrue(message(new String[] {"launch"}).contains("unknown command 'launch'"));
    assertTrue(message(new String[] {"run"}).contains("--config"));
    assertTrue(message(new String[] {"run", "--config"}).contains("--config needs a value"));
    assertTrue(message(new String[] {"run", "--config", "g.yaml", "--instances", "0"}).startsWith("--instances:"));
    assertTrue(message(new String[] {"run", "--config", "g.yaml", "--bogus"}).contains("unknown option '--bogus'"));
    assertTrue(assertThrows(UsageException.class, () -> Command.parse(new String[] {"demo"},
      Map.of("SLUICE_INSTANCES", "many"))).getMessage().startsWith("SLUICE_INSTANCES:"));
  }

  private static String message(String[] args) {
    return assertThrows(UsageException.class, () -> Command.parse(args, Map.of())).getMessage();
  }
}
