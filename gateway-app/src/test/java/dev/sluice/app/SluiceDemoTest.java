package dev.sluice.app;

import dev.sluice.gateway.auth.AuthMethod;
import dev.sluice.gateway.config.ConfigLoader;
import dev.sluice.gateway.config.RouteConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SluiceDemoTest {
  @Test
  void theLinesBeforeTheDemoHasItsConfigHaveTheFormatItsConfigWillHave() {
    for (Map<String, String> env : java.util.List.of(Map.<String, String>of(), Map.of("SLUICE_LOG_FORMAT", ""),
      Map.of("SLUICE_LOG_FORMAT", "text"), Map.of("SLUICE_LOG_FORMAT", " json "))) {
      assertEquals(ConfigLoader.fromJson(SluiceDemo.demoConfig(5001, 5002, "redis://127.0.0.1:6379"), env).log().format(),
        SluiceDemo.earlyLogFormat(env), env.toString());
    }
  }

  @Test
  void theDemoHasARouteForApiKeyConsumers() {
    RouteConfig keyed = ConfigLoader.fromJson(SluiceDemo.demoConfig(5001, 5002, "redis://127.0.0.1:6379"), Map.of())
      .routes().stream().filter(r -> r.name().equals("keyed")).findFirst().orElseThrow();
    assertEquals(java.util.List.of(AuthMethod.API_KEY), keyed.auth().methods());
    assertTrue(keyed.policy().rateLimit().limit() <= 10, "small enough to see a 429 by hand");
  }
}
