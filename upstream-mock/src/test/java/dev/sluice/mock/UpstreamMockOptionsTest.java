package dev.sluice.mock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class UpstreamMockOptionsTest {
  @Test
  void defaultsAreTheNamedConstants() {
    UpstreamMockOptions options = new UpstreamMockOptions();
    assertEquals(UpstreamMockOptions.DEFAULT_HOST, options.getHost());
    assertEquals("127.0.0.1", options.getHost());
    assertEquals(5001, options.getPort());
    assertEquals(UpstreamMockOptions.DEFAULT_MAX_BODY_BYTES, options.getMaxBodyBytes());
    assertEquals(UpstreamMockOptions.DEFAULT_MAX_TRACKED_KEYS, options.getMaxTrackedKeys());
  }

  @Test
  void jsonRoundTripsAndAbsentKeysKeepDefaults() {
    UpstreamMockOptions options = new UpstreamMockOptions()
        .setHost("0.0.0.0").setPort(0).setMaxBodyBytes(10).setMaxTrackedKeys(3);
    assertEquals(options, new UpstreamMockOptions(options.toJson()));
    assertEquals(new UpstreamMockOptions().setPort(7000), new UpstreamMockOptions(new JsonObject().put("port", 7000)));
  }

  @Test
  void copiesAreIndependent() {
    UpstreamMockOptions original = new UpstreamMockOptions();
    UpstreamMockOptions copy = new UpstreamMockOptions(original).setPort(1);
    assertNotEquals(original.getPort(), copy.getPort());
  }

  @Test
  void badValuesAreRejectedNamingTheField() {
    assertMessageStartsWith("port: ", () -> new UpstreamMockOptions().setPort(70_000));
    assertMessageStartsWith("port: ", () -> new UpstreamMockOptions(new JsonObject().put("port", "80")));
    assertMessageStartsWith("host: ", () -> new UpstreamMockOptions().setHost(" "));
    assertMessageStartsWith("maxBodyBytes: ", () -> new UpstreamMockOptions(new JsonObject().put("maxBodyBytes", -1)));
    assertMessageStartsWith("prot: ", () -> new UpstreamMockOptions(new JsonObject().put("prot", 80)));
  }

  private static void assertMessageStartsWith(String prefix, Runnable action) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action::run);
    assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
  }
}
