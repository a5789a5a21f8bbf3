package dev.sluice.gateway.config;

import dev.sluice.gateway.client.CidrBlock;

import java.util.List;

/**
 * How a client is identified for rate limiting.
 *
 * @param identityHeader null for {@code identity: ip}; the header name for {@code identity: header:<Name>}
 * @param trustedProxies peers whose {@code X-Forwarded-For} is believed
 */
public record ClientsOptions(String identityHeader, List<CidrBlock> trustedProxies) {
  public ClientsOptions {
    trustedProxies = List.copyOf(trustedProxies);
  }
}
