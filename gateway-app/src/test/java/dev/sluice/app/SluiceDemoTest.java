package dev.sluice.app;

import dev.sluice.gateway.config.ConfigLoader;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SluiceDemoTest {
  @Test
  void theLinesBeforeTheDemoHasItsConfigHaveTheFormatItsConfigWillHave() {
    for (Map<String, String> env : java.util.List.of(Map.<String, String>of(), Map.of("SLUICE_LOG_FORMAT", ""),
      Map.of("SLUICE_LOG_FORMAT", "text"), Map.of("SLUICE_LOG_FORMAT", " json "))) {
      assertEquals(ConfigLoader.fromJson(SluiceDemo.demoConfig(5001, 5002, "redis://127.0.0.1:6379"), env).log().format(),
        SluiceDemo.earlyLogFormat(env), env.toString());
    }
  }
}
