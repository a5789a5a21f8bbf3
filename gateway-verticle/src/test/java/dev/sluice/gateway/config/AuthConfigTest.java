package dev.sluice.gateway.config;

import dev.sluice.gateway.auth.AuthMethod;
import dev.sluice.gateway.auth.RouteAuth;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The {@code auth} section and a route's {@code auth}, {@code apiKey}, {@code jwt} and {@code identity}. */
class AuthConfigTest {
  static final String JWKS = "'jwksUrl': 'https://idp.test/jwks'";

  @Test
  void aRouteWithoutAuthIsOpenAndTheTopLevelSectionHasTheDesignsDefaults() {
    SluiceConfig config = ConfigParser.parse(ConfigFixtures.minimalJson());
    assertEquals(RouteAuth.NONE, config.routes().get(0).auth());
    assertEquals("X-Api-Key", config.auth().apiKeyHeader());
    assertEquals(30, config.auth().cacheSeconds());
  }

  @Test
  void aListOfMethodsWithAJwtSectionReadsIntoOneRouteAuth() {
    RouteAuth auth = route("{'auth': ['apiKey', 'jwt'], 'apiKey': {'consumers': ['acme']}, 'identity': 'jwt:tenant',"
      + " 'jwt': {" + JWKS + ", 'algorithms': ['rs256', 'ES256'], 'forwardClaims': {'X-User-Id': 'sub'}}}");
    assertEquals(List.of(AuthMethod.API_KEY, AuthMethod.JWT), auth.methods());
    assertEquals(Set.of("acme"), auth.consumers());
    assertEquals("tenant", auth.identityClaim());
    assertEquals(List.of("RS256", "ES256"), auth.jwt().algorithms());
    assertEquals(30, auth.jwt().jwksMinRefreshSeconds());
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("refused")
  void whatCannotBeCheckedSafelyIsRefusedUnderItsPath(String routePatch, String expected) {
    JsonObject json = ConfigFixtures.minimalJson();
    json.getJsonArray("routes").getJsonObject(0).mergeIn(new JsonObject(routePatch.replace('\'', '"')), true);
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(json));
    assertEquals(List.of(expected), e.problems());
  }

  static Stream<Arguments> refused() {
    return Stream.of(
      arguments("{'auth': 'jwt', 'jwt': {" + JWKS + ", 'algorithms': ['none']}}",
        "routes[0].jwt.algorithms[0]: none is never accepted: an unsigned token proves nothing"),
      arguments("{'auth': 'jwt', 'jwt': {" + JWKS + ", 'algorithms': ['RS256', 'HS256']}}",
        "routes[0].jwt.algorithms[1]: HMAC (HS256) is not accepted: the keys are public (jwksUrl or publicKey), and an"
          + " HMAC secret made of a public key is the algorithm-confusion attack"),
      arguments("{'auth': 'jwt', 'jwt': {" + JWKS + "}}", "routes[0].jwt.algorithms: required"),
      arguments("{'auth': 'jwt'}", "routes[0].jwt: required with auth: jwt"),
      arguments("{'auth': 'jwt', 'jwt': {'algorithms': ['RS256']}}",
        "routes[0].jwt: needs exactly one of jwksUrl and publicKey"),
      arguments("{'auth': 'basic'}", "routes[0].auth: must be none, apiKey, jwt or a list of apiKey and jwt"),
      arguments("{'auth': 'apiKey', 'identity': 'jwt:sub'}",
        "routes[0].identity: needs auth: jwt (API-key routes count each consumer by its id)"),
      arguments("{'apiKey': {'consumers': ['acme']}}", "routes[0].apiKey: needs auth: apiKey (or a list holding apiKey)"));
  }

  private static RouteAuth route(String patch) {
    JsonObject json = ConfigFixtures.minimalJson();
    json.getJsonArray("routes").getJsonObject(0).mergeIn(new JsonObject(patch.replace('\'', '"')), true);
    return ConfigParser.parse(json).routes().get(0).auth();
  }
}
