package dev.sluice.gateway.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/** An IPv4 or IPv6 network such as {@code 127.0.0.1/32} or {@code ::1/128}. */
public final class CidrBlock {
  private final byte[] network;
  private final int prefixLength;
  private final String text;

  private CidrBlock(byte[] network, int prefixLength, String text) {
    this.network = network;
    this.prefixLength = prefixLength;
    this.text = text;
  }

  /**
   * Parses {@code address[/bits]}; a bare address means a single host. Only literal addresses
   * are accepted, so parsing never does a DNS lookup.
   *
   * @throws IllegalArgumentException with a message fit for a config error
   */
  public static CidrBlock parse(String text) {
    String[] parts = text.trim().split("/", -1);
    if (parts.length > 2 || !isLiteralAddress(parts[0])) {
      throw new IllegalArgumentException("not a CIDR block such as 10.0.0.0/8 or ::1/128");
    }
    byte[] address = toBytes(parts[0]);
    int maxBits = address.length * 8;
    int bits = maxBits;
    if (parts.length == 2) {
      try {
        bits = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("prefix length is not a number");
      }
      if (bits < 0 || bits > maxBits) {
        throw new IllegalArgumentException("prefix length must be between 0 and " + maxBits);
      }
    }
    return new CidrBlock(mask(address, bits), bits, text.trim());
  }

  /** True when {@code address} (a literal IP, as Vert.x reports a peer) lies in this block. */
  public boolean contains(String address) {
    if (address == null || !isLiteralAddress(address)) {
      return false;
    }
    byte[] candidate = toBytes(address);
    return candidate.length == network.length && Arrays.equals(mask(candidate, prefixLength), network);
  }

  private static boolean isLiteralAddress(String s) {
    return !s.isEmpty() && (s.indexOf(':') >= 0 || s.chars().allMatch(c -> c == '.' || Character.isDigit(c)));
  }

  private static byte[] toBytes(String literal) {
    try {
      return InetAddress.getByName(literal).getAddress();
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + literal);
    }
  }

  private static byte[] mask(byte[] address, int bits) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, bits - i * 8));
      out[i] = (byte) (out[i] & (0xFF << (8 - keep)));
    }
    return out;
  }

  @Override
  public String toString() {
    return text;
  }
}
