package dev.sluice.gateway.config;

import dev.sluice.gateway.auth.AuthMethod;
import dev.sluice.gateway.auth.AuthOptions;
import dev.sluice.gateway.auth.JwtOptions;
import dev.sluice.gateway.auth.PemKeys;
import dev.sluice.gateway.auth.RouteAuth;
import io.vertx.core.json.JsonArray;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads authentication: the top-level {@code auth} section and each route's {@code auth}, {@code apiKey},
 * {@code jwt} and {@code identity}. Algorithms are checked here, once: {@code none} and HMAC are refused
 * (a route's keys are public keys, and an HMAC "secret" that is a public key is the algorithm-confusion attack).
 */
final class AuthReader {
  static final String IDENTITY_JWT = "jwt:";
  private static final String PEM_PUBLIC_KEY = "-----BEGIN PUBLIC KEY-----";

  private AuthReader() {
  }

  static AuthOptions options(ConfigNode node) {
    ConfigValue header = node.value("apiKeyHeader");
    String apiKeyHeader = header.string().map(String::trim).filter(h -> {
      boolean ok = PolicyReader.HTTP_TOKEN.matcher(h).matches();
      if (!ok) {
        header.problem("must be a header name such as X-Api-Key");
      }
      return ok;
    }).orElse(AuthOptions.DEFAULT_API_KEY_HEADER);
    AuthOptions options = new AuthOptions(apiKeyHeader,
      node.intValue("cacheSeconds", Range.POSITIVE, AuthOptions.DEFAULT_CACHE_SECONDS),
      node.intValue("cacheEntries", Range.POSITIVE, AuthOptions.DEFAULT_CACHE_ENTRIES));
    node.rejectUnknownKeys();
    return options;
  }

  /** A route's authentication; the caller owns {@code route} and checks its unknown keys. */
  static RouteAuth route(ConfigNode route) {
    ConfigValue authValue = route.value("auth");
    List<AuthMethod> methods = methods(authValue);
    ConfigValue apiKeyValue = route.value("apiKey");
    ConfigValue jwtValue = route.value("jwt");
    ConfigValue identityValue = route.value("identity");
    Set<String> consumers = consumers(apiKeyValue, methods.contains(AuthMethod.API_KEY));
    JwtOptions jwt = null;
    if (methods.contains(AuthMethod.JWT)) {
      jwt = jwtValue.isSet() ? jwt(jwtValue.required().object(), jwtValue) : missing(jwtValue);
    } else if (jwtValue.isSet()) {
      jwtValue.problem("needs auth: jwt (or a list holding jwt)");
    }
    String claim = identityClaim(identityValue, methods.contains(AuthMethod.JWT));
    return methods.isEmpty() ? RouteAuth.NONE : new RouteAuth(methods, consumers, jwt, claim);
  }

  private static JwtOptions missing(ConfigValue jwt) {
    jwt.problem("required with auth: jwt");
    return null;
  }

  /** {@code none}, one method, or a list of methods (without none). */
  private static List<AuthMethod> methods(ConfigValue value) {
    if (!value.isSet()) {
      return List.of();
    }
    List<ConfigValue> items = value.raw() instanceof JsonArray ? value.list().orElse(List.of()) : List.of(value);
    Set<AuthMethod> methods = new LinkedHashSet<>();
    for (ConfigValue item : items) {
      Optional<String> text = item.string();
      if (text.isEmpty()) {
        continue;
      }
      if (text.get().trim().equalsIgnoreCase("none") && items.size() == 1) {
        return List.of();
      }
      Optional<AuthMethod> method = AuthMethod.parse(text.get());
      if (method.isEmpty()) {
        item.problem(items.size() == 1 ? "must be none, apiKey, jwt or a list of apiKey and jwt"
          : "must be apiKey or jwt");
      } else if (!methods.add(method.get())) {
        item.problem("listed twice");
      }
    }
    if (value.raw() instanceof JsonArray && items.isEmpty()) {
      value.problem("must list apiKey, jwt or both (or be none)");
    }
    return List.copyOf(methods);
  }

  private static Set<String> consumers(ConfigValue value, boolean apiKey) {
    if (!value.isSet()) {
      return Set.of();
    }
    if (!apiKey) {
      value.problem("needs auth: apiKey (or a list holding apiKey)");
      return Set.of();
    }
    ConfigNode node = value.object();
    Set<String> consumers = new LinkedHashSet<>();
    node.value("consumers").list().ifPresent(items -> items.forEach(item -> item.string().map(String::trim)
      .ifPresent(id -> {
        String problem = ConsumerIds.problem(id);
        if (problem != null) {
          item.problem(problem);
        } else {
          consumers.add(id);
        }
      })));
    node.rejectUnknownKeys();
    return consumers;
  }

  private static JwtOptions jwt(ConfigNode node, ConfigValue self) {
    ConfigValue urlValue = node.value("jwksUrl");
    Optional<URI> jwksUrl = jwksUrl(urlValue);
    ConfigValue keyValue = node.value("publicKey");
    Optional<String> publicKey = keyValue.string().map(String::trim).filter(pem -> {
      boolean ok = pem.startsWith(PEM_PUBLIC_KEY);
      if (!ok) {
        keyValue.problem("must be a PEM public key (" + PEM_PUBLIC_KEY + " ...)");
      }
      return ok;
    });
    if (urlValue.isSet() == keyValue.isSet()) {
      self.problem("needs exactly one of jwksUrl and publicKey");
    }
    String issuer = node.value("issuer").string().map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
    List<String> audience = strings(node.value("audience"));
    List<String> algorithms = algorithms(node.value("algorithms"));
    int leeway = node.intValue("leewaySeconds", Range.between(0, 3600), JwtOptions.DEFAULT_LEEWAY_SECONDS);
    int minRefresh = node.intValue("jwksMinRefreshSeconds", Range.between(1, 86_400),
      JwtOptions.DEFAULT_JWKS_MIN_REFRESH_SECONDS);
    publicKey.ifPresent(pem -> {
      String family = PemKeys.family(pem);
      if (family == null) {
        keyValue.problem("not an RSA or EC public key");
      } else if (algorithms.stream().noneMatch(alg -> PemKeys.fits(family, alg))) {
        keyValue.problem("an " + family + " key checks none of the algorithms " + algorithms);
      }
    });
    List<String> scopes = strings(node.value("scopes"));
    Map<String, String> forwardClaims = forwardClaims(node.object("forwardClaims"));
    boolean strip = node.bool("stripAuthorization", false);
    node.rejectUnknownKeys();
    return new JwtOptions(jwksUrl.orElse(null), publicKey.orElse(null), issuer, audience, algorithms, leeway,
      minRefresh, scopes, forwardClaims, strip);
  }

  private static Optional<URI> jwksUrl(ConfigValue value) {
    return value.string().map(String::trim).flatMap(text -> {
      try {
        URI uri = new URI(text);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
          return Optional.of(uri);
        }
      } catch (URISyntaxException ignored) {
        // reported below
      }
      value.problem("not an absolute http(s) URL");
      return Optional.empty();
    });
  }

  /** A string or a list of strings (an {@code audience} of one is often written without brackets). */
  private static List<String> strings(ConfigValue value) {
    if (value.raw() instanceof String s) {
      return s.isBlank() ? List.of() : List.of(s.trim());
    }
    List<String> out = new ArrayList<>();
    value.list().ifPresent(items -> items.forEach(item -> item.string().map(String::trim)
      .filter(s -> !s.isEmpty()).ifPresent(out::add)));
    return out;
  }

  private static List<String> algorithms(ConfigValue value) {
    value.required();
    Set<String> algorithms = new LinkedHashSet<>();
    value.list().ifPresent(items -> {
      if (items.isEmpty()) {
        value.problem("must list at least one algorithm, such as RS256");
      }
      for (ConfigValue item : items) {
        item.string().map(String::trim).ifPresent(alg -> {
          String upper = alg.toUpperCase(Locale.ROOT);
          if (upper.equals("NONE")) {
            item.problem("none is never accepted: an unsigned token proves nothing");
          } else if (upper.startsWith("HS")) {
            item.problem("HMAC (" + alg + ") is not accepted: the keys are public (jwksUrl or publicKey), and an "
              + "HMAC secret made of a public key is the algorithm-confusion attack");
          } else if (!JwtOptions.SUPPORTED_ALGORITHMS.contains(upper)) {
            item.problem("must be one of " + String.join(", ", JwtOptions.SUPPORTED_ALGORITHMS));
          } else {
            algorithms.add(upper);
          }
        });
      }
    });
    return List.copyOf(algorithms);
  }

  private static Map<String, String> forwardClaims(ConfigNode node) {
    Map<String, String> claims = new LinkedHashMap<>();
    for (String header : node.fieldNames()) {
      ConfigValue value = node.value(header);
      if (!PolicyReader.HTTP_TOKEN.matcher(header).matches()) {
        value.problem("must be keyed by a header name");
        continue;
      }
      value.string().map(String::trim).filter(claim -> {
        boolean ok = !claim.isEmpty();
        if (!ok) {
          value.problem("must name a claim");
        }
        return ok;
      }).ifPresent(claim -> claims.put(header, claim));
    }
    return claims;
  }

  /** {@code identity: jwt:<claim>}; only a JWT route has one (an API-key route counts by consumer). */
  private static String identityClaim(ConfigValue value, boolean jwt) {
    if (!value.isSet()) {
      return RouteAuth.DEFAULT_IDENTITY_CLAIM;
    }
    String text = value.string().map(String::trim).orElse("");
    String claim = text.regionMatches(true, 0, IDENTITY_JWT, 0, IDENTITY_JWT.length())
      ? text.substring(IDENTITY_JWT.length()).trim() : "";
    if (claim.isEmpty()) {
      value.problem("must be jwt:<claim>, such as jwt:sub");
      return RouteAuth.DEFAULT_IDENTITY_CLAIM;
    }
    if (!jwt) {
      value.problem("needs auth: jwt (API-key routes count each consumer by its id)");
    }
    return claim;
  }
}
