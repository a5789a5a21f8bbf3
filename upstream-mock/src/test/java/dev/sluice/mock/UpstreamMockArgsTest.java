package dev.sluice.mock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class UpstreamMockArgsTest {
  @Test
  void noArgumentsMeansTheDefaults() {
    assertEquals(new UpstreamMockArgs("127.0.0.1", 5001, 1, false), UpstreamMockArgs.parse(new String[0]));
  }

  @Test
  void readsEveryOptionInBothSpellings() {
    assertEquals(new UpstreamMockArgs("0.0.0.0", 0, 4, false),
        UpstreamMockArgs.parse(new String[] {"--port", "0", "--host", "0.0.0.0", "--instances", "4"}));
    assertEquals(new UpstreamMockArgs("::1", 6000, 2, false),
        UpstreamMockArgs.parse(new String[] {"--port=6000", "--host=::1", "--instances=2"}));
  }

  @Test
  void asksForHelp() {
    assertTrue(UpstreamMockArgs.parse(new String[] {"--help"}).help());
    assertTrue(UpstreamMockArgs.parse(new String[] {"--port", "1", "-h"}).help());
  }

  @Test
  void rejectsABadPortWithAOneLineMessageNamingIt() {
    assertRejected("--port: not a whole number: 'http'", "--port", "http");
    assertRejected("--port: must be between 0 and 65535, got 65536", "--port", "65536");
    assertRejected("--port: must be between 0 and 65535, got -1", "--port=-1");
    assertRejected("--port needs a value", "--port");
  }

  @Test
  void rejectsOtherMistakes() {
    assertRejected("unknown argument '--prot'", "--prot", "80");
    assertRejected("--port given twice", "--port", "1", "--port", "2");
    assertRejected("--instances: must be between 1 and 1024, got 0", "--instances", "0");
    assertRejected("--host: must not be blank", "--host", "");
  }

  private static void assertRejected(String message, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UpstreamMockArgs.parse(args));
    assertEquals(message, e.getMessage());
  }
}
