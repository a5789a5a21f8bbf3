package dev.sluice.gateway.config;

import dev.sluice.gateway.client.CidrBlock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lives beside the config tests because trustedProxies is where blocks are parsed. */
class CidrBlockTest {

  @Test
  void anIpv4BlockHoldsItsNetworkOnly() {
    CidrBlock block = CidrBlock.parse("10.1.0.0/16");
    assertTrue(block.contains("10.1.0.1"));
    assertTrue(block.contains("10.1.255.255"));
    assertFalse(block.contains("10.2.0.1"));
    assertFalse(block.contains("::1"));
  }

  @Test
  void aBareAddressIsOneHost() {
    CidrBlock block = CidrBlock.parse("127.0.0.1");
    assertTrue(block.contains("127.0.0.1"));
    assertFalse(block.contains("127.0.0.2"));
  }

  @Test
  void hostBitsInTheNetworkAreIgnored() {
    assertEquals(CidrBlock.parse("10.0.0.0/8"), CidrBlock.parse("10.9.9.9/8"));
    assertTrue(CidrBlock.parse("10.9.9.9/8").contains("10.200.0.1"));
  }

  @Test
  void zeroBitsHoldsEveryAddressOfItsFamily() {
    assertTrue(CidrBlock.parse("0.0.0.0/0").contains("203.0.113.9"));
    assertFalse(CidrBlock.parse("0.0.0.0/0").contains("2001:db8::1"));
    assertTrue(CidrBlock.parse("::/0").contains("2001:db8::1"));
  }

  @Test
  void anIpv6BlockMatchesEveryWayOfWritingAnAddress() {
    CidrBlock block = CidrBlock.parse("2001:db8::/32");
    assertTrue(block.contains("2001:db8::1"));
    assertTrue(block.contains("2001:0db8:0:0:0:0:0:1"));
    assertFalse(block.contains("2001:db9::1"));
    assertTrue(CidrBlock.parse("::1/128").contains("0:0:0:0:0:0:0:1"));
  }

  @Test
  void anIpv4PeerSeenThroughADualStackSocketStillMatches() {
    assertTrue(CidrBlock.parse("192.168.0.0/16").contains("::ffff:192.168.4.2"));
    assertFalse(CidrBlock.parse("192.168.0.0/16").contains("::ffff:10.0.0.1"));
  }

  @Test
  void garbageIsNeverContained() {
    CidrBlock block = CidrBlock.parse("0.0.0.0/0");
    assertFalse(block.contains(null));
    assertFalse(block.contains("localhost"));
    assertFalse(block.contains("999.1.1.1"));
  }

  @Test
  void blocksAreEqualByNetworkAndLength() {
    assertEquals(CidrBlock.parse("::1/128"), CidrBlock.parse("0:0:0:0:0:0:0:1/128"));
    assertEquals(CidrBlock.parse("::1/128").hashCode(), CidrBlock.parse("0:0:0:0:0:0:0:1/128").hashCode());
    assertFalse(CidrBlock.parse("10.0.0.0/8").equals(CidrBlock.parse("10.0.0.0/16")));
    assertEquals("10.0.0.0/8", CidrBlock.parse(" 10.0.0.0/8 ").toString());
  }

  /**
   * Before the fix "999.1.1.1" fell through to a DNS lookup and "127.1" was read as 127.0.0.1. Host names,
   * out-of-range octets and the legacy short forms must all be refused at once, without asking a resolver.
   */
  @ParameterizedTest
  @ValueSource(strings = {"999.1.1.1", "256.0.0.1", "1.2.3", "127.1", "1", "010.0.0.1", "0x7f.0.0.1",
      "localhost", "example.com", "gateway.invalid", "", " ", "/8", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/33",
      "10.0.0.0/-1", "10.0.0.0/8/8", "::1/129", "1::2::3", "12345::", "::g", "1.2.3.4:80"})
  void garbageIsRefusedWithoutALookup(String text) {
    IllegalArgumentException e = assertTimeout(Duration.ofMillis(500),
        () -> assertThrows(IllegalArgumentException.class, () -> CidrBlock.parse(text)));
    assertFalse(e.getMessage().isBlank());
  }
}
