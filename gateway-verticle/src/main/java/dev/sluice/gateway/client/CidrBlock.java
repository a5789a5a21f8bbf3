package dev.sluice.gateway.client;

import io.netty.util.NetUtil;

import java.util.Arrays;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 network such as {@code 127.0.0.1/32} or {@code ::1/128}. Immutable; equal by network and length. */
public final class CidrBlock {
  /**
   * Dotted quad without leading zeros: {@code 010.0.0.1} is octal to some tools and decimal to others, and a
   * trusted-proxy list is no place for that ambiguity.
   */
  private static final Pattern IPV4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
  private static final byte[] IPV4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, (byte) 0xFF};

  private final byte[] network;
  private final int prefixLength;
  private final String text;

  private CidrBlock(byte[] network, int prefixLength, String text) {
    this.network = network;
    this.prefixLength = prefixLength;
    this.text = text;
  }

  /**
   * Parses {@code address[/bits]}; a bare address means a single host. Only literal addresses are accepted
   * (never host names, never the legacy short forms such as {@code 127.1}), so parsing never does a DNS lookup.
   *
   * @throws IllegalArgumentException with a message fit for a config error
   */
  public static CidrBlock parse(String text) {
    String trimmed = text == null ? "" : text.trim();
    String[] parts = trimmed.split("/", -1);
    byte[] address = parts.length > 2 ? null : literalBytes(parts[0]);
    if (address == null) {
      throw new IllegalArgumentException("not a CIDR block such as 10.0.0.0/8 or ::1/128");
    }
    int maxBits = address.length * 8;
    int bits = parts.length == 2 ? prefixLength(parts[1], maxBits) : maxBits;
    return new CidrBlock(mask(address, bits), bits, trimmed);
  }

  /** True when {@code address} (a literal IP, as Vert.x reports a peer) lies in this block. */
  public boolean contains(String address) {
    byte[] candidate = address == null ? null : NetUtil.createByteArrayFromIpAddressString(address);
    if (candidate == null) {
      return false;
    }
    if (network.length == 4 && isIpv4Mapped(candidate)) {
      // a dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; they must still match 10.0.0.0/8
      candidate = Arrays.copyOfRange(candidate, 12, 16);
    }
    return candidate.length == network.length && Arrays.equals(mask(candidate, prefixLength), network);
  }

  /** Netty's parser reads literals only and returns null for anything else: it has no resolver to fall back on. */
  private static byte[] literalBytes(String s) {
    boolean v6 = s.indexOf(':') >= 0;
    if (!v6 && !IPV4.matcher(s).matches()) {
      return null;
    }
    return NetUtil.createByteArrayFromIpAddressString(s);
  }

  private static int prefixLength(String digits, int maxBits) {
    if (digits.isEmpty() || digits.length() > 3 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new IllegalArgumentException("prefix length is not a number");
    }
    int bits = Integer.parseInt(digits);
    if (bits > maxBits) {
      throw new IllegalArgumentException("prefix length must be between 0 and " + maxBits);
    }
    return bits;
  }

  private static boolean isIpv4Mapped(byte[] address) {
    return address.length == 16 && Arrays.equals(address, 0, 12, IPV4_MAPPED_PREFIX, 0, 12);
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
  public boolean equals(Object o) {
    return o instanceof CidrBlock other && prefixLength == other.prefixLength && Arrays.equals(network, other.network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefixLength;
  }

  /** The text as written in the config, so it reads back the same. */
  @Override
  public String toString() {
    return text;
  }
}
