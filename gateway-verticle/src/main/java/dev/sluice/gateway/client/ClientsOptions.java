package dev.sluice.gateway.client;


import java.util.List;

/**
 * How a client is identified for rate limiting.
 *
 * @param identityHeader null for {@code identity: ip}; the header name for {@code identity: header:<Name>}
 * @param trustedProxies peers whose {@code X-Forwarded-For} is believed
 */
public record ClientsOptions(String identityHeader, List<CidrBlock> trustedProxies) {
  /** Trust no proxy unless told: a believed {@code X-Forwarded-For} lets a client pick its own identity. */
  public static final List<CidrBlock> DEFAULT_TRUSTED_PROXIES = List.of();

  public ClientsOptions {
    trustedProxies = List.copyOf(trustedProxies);
  }
}
