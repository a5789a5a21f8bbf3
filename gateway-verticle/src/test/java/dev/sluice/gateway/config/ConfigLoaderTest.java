package dev.sluice.gateway.config;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class ConfigLoaderTest {
  private static final Map<String, String> NO_ENV = Map.of();

  @Test
  void aCompleteYamlFileBecomesTheExpectedConfig(Vertx vertx, VertxTestContext test) {
    expectConfig(ConfigLoader.load(vertx, resource("gateway-full.yaml"), NO_ENV), test,
        config -> assertEquals(ConfigFixtures.full(), config));
  }

  @Test
  void aCompleteJsonFileBecomesTheSameConfig(Vertx vertx, VertxTestContext test) {
    expectConfig(ConfigLoader.load(vertx, resource("gateway-full.json"), NO_ENV), test,
        config -> assertEquals(ConfigFixtures.full(), config));
  }

  @Test
  void aYmlFileWithOnlyRoutesGetsEveryDefault(Vertx vertx, VertxTestContext test) {
    expectConfig(ConfigLoader.load(vertx, resource("gateway-minimal.yml"), NO_ENV), test,
        config -> assertEquals(ConfigFixtures.minimal(), config));
  }

  @Test
  void invalidFieldsInAFileAreReportedByPath(Vertx vertx, VertxTestContext test) {
    expectProblems(ConfigLoader.load(vertx, resource("invalid-fields.yaml"), NO_ENV), test, problems ->
        assertEquals(List.of("http.port: must be between 0 and 65535",
            "routes[0].upstream: not an absolute http(s) URL"), problems));
  }

  @Test
  void aMissingFileIsReportedWithoutAStackTrace(Vertx vertx, VertxTestContext test, @TempDir Path dir) {
    Path missing = dir.resolve("nope.yaml");
    expectProblems(ConfigLoader.load(vertx, missing, NO_ENV), test, problems ->
        assertEquals(List.of("config: cannot read " + missing + " (no such file)"), problems));
  }

  @Test
  void aDirectoryIsNotReadable(Vertx vertx, VertxTestContext test, @TempDir Path dir) throws Exception {
    Path folder = Files.createDirectory(dir.resolve("conf.json"));
    expectProblems(ConfigLoader.load(vertx, folder, NO_ENV), test, problems ->
        assertTrue(problems.get(0).startsWith("config: cannot read " + folder), problems.get(0)));
  }

  @Test
  void anUnknownExtensionIsRefusedBeforeReading(Vertx vertx, VertxTestContext test, @TempDir Path dir) {
    Path file = dir.resolve("gateway.toml");
    expectProblems(ConfigLoader.load(vertx, file, NO_ENV), test, problems ->
        assertEquals(List.of("config: unsupported file type " + file + " (use .yaml, .yml or .json)"), problems));
  }

  @Test
  void aYamlSyntaxErrorNamesTheFileAndTheSpot(Vertx vertx, VertxTestContext test) {
    Path file = resource("broken-syntax.yaml");
    expectProblems(ConfigLoader.load(vertx, file, NO_ENV), test, problems -> assertEquals(
        List.of("config: cannot parse " + file + ": mapping values are not allowed here (line 2, column 13)"),
        problems));
  }

  @Test
  void aJsonSyntaxErrorNamesTheFileAndTheSpot(Vertx vertx, VertxTestContext test, @TempDir Path dir)
      throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.json"), "{\"http\": {\"port\": 80,}}");
    expectProblems(ConfigLoader.load(vertx, file, NO_ENV), test, problems -> {
      assertEquals(1, problems.size());
      assertTrue(problems.get(0).startsWith("config: cannot parse " + file + ": Unexpected character"), problems.get(0));
      assertTrue(problems.get(0).endsWith("(line 1, column 22)"), problems.get(0));
    });
  }

  @Test
  void aYamlListAtTheTopIsNotAConfig(Vertx vertx, VertxTestContext test, @TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("gateway.yaml"), "- http\n- routes\n");
    expectProblems(ConfigLoader.load(vertx, file, NO_ENV), test, problems -> assertEquals(List.of(
        "config: cannot parse " + file + ": the top level must be a mapping of keys such as http and routes"),
        problems));
  }

  @Test
  void anEmptyFileIsAConfigWithoutRoutes(Vertx vertx, VertxTestContext test, @TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("empty.yaml"), "");
    expectProblems(ConfigLoader.load(vertx, file, NO_ENV), test, problems ->
        assertEquals(List.of("routes: required"), problems));
  }

  @Test
  void aFileOfCommentsOnlyIsNotAConfig(Vertx vertx, VertxTestContext test, @TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("comments.yaml"), "# routes: to come\n");
    expectProblems(ConfigLoader.load(vertx, file, NO_ENV), test, problems -> assertEquals(List.of(
        "config: cannot parse " + file + ": the top level must be a mapping of keys such as http and routes"),
        problems));
  }

  @Test
  void environmentVariablesOverrideTheFile(Vertx vertx, VertxTestContext test) {
    Map<String, String> env = Map.of(
        "SLUICE_HTTP_PORT", "18080",
        "SLUICE_ADMIN_PORT", "19090",
        "SLUICE_REDIS_URL", "redis://redis:6379",
        "SLUICE_ADMIN_TOKEN", "from-env",
        "SLUICE_ADMIN_BRIDGE_PORT", "19091",
        "SLUICE_LOG_FORMAT", "json",
        "SLUICE_INSTANCES", "not-for-the-config",
        "SLUICE_CLUSTER_MEMBERS", "also,not");
    expectConfig(ConfigLoader.load(vertx, resource("gateway-full.yaml"), env), test, config -> {
      assertEquals(18080, config.http().port());
      assertEquals("127.0.0.1", config.http().host(), "the rest of the section is kept");
      assertEquals(19090, config.admin().port());
      assertEquals("from-env", config.admin().token());
      assertEquals(19091, config.admin().bridgePort());
      assertEquals("redis://redis:6379", config.redis().url());
      assertEquals(LogFormat.JSON, config.log().format());
      assertEquals(ConfigFixtures.full().routes(), config.routes());
    });
  }

  @Test
  void aBadEnvironmentValueIsReportedUnderItsName(Vertx vertx, VertxTestContext test) {
    Map<String, String> env = Map.of("SLUICE_HTTP_PORT", "eighty", "SLUICE_ADMIN_PORT", "70000",
        "SLUICE_REDIS_URL", "localhost:6379", "SLUICE_LOG_FORMAT", "xml", "SLUICE_ADMIN_BRIDGE_PORT", "tcp");
    expectProblems(ConfigLoader.load(vertx, resource("gateway-minimal.yml"), env), test, problems ->
        assertEquals(List.of(
            "SLUICE_HTTP_PORT: must be an integer",
            "SLUICE_ADMIN_PORT: must be between 0 and 65535",
            "SLUICE_ADMIN_BRIDGE_PORT: must be an integer",
            "SLUICE_REDIS_URL: must start with redis://, rediss:// or unix://",
            "SLUICE_LOG_FORMAT: must be one of json, text"), problems));
  }

  @Test
  void aBuiltInConfigTakesTheSameOverridesAndIsLeftAsItWas() {
    JsonObject builtIn = ConfigFixtures.minimalJson();
    SluiceConfig config = ConfigLoader.fromJson(builtIn, Map.of("SLUICE_HTTP_PORT", " 0 ", "SLUICE_ADMIN_TOKEN", ""));
    assertEquals(0, config.http().port());
    assertEquals(null, config.admin().token(), "an empty variable counts as unset");
    assertEquals(ConfigFixtures.minimalJson(), builtIn);
  }

  @Test
  void aBuiltInConfigWithABadOverrideThrows() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.fromJson(ConfigFixtures.minimalJson(), Map.of("SLUICE_HTTP_PORT", "99999999999999999999")));
    assertEquals(List.of("SLUICE_HTTP_PORT: must be an integer"), e.problems());
  }

  @Test
  void loadingFromAnEventLoopWorksToo(Vertx vertx, VertxTestContext test) {
    vertx.runOnContext(v -> expectConfig(ConfigLoader.load(vertx, resource("gateway-minimal.yml"), NO_ENV), test,
        config -> assertEquals(ConfigFixtures.minimal(), config)));
  }

  private static Path resource(String name) {
    try {
      return Path.of(ConfigLoaderTest.class.getResource("/config/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void expectConfig(Future<SluiceConfig> future, VertxTestContext test, Consumer<SluiceConfig> check) {
    future.onComplete(test.succeeding(config -> test.verify(() -> {
      check.accept(config);
      test.completeNow();
    })));
  }

  private static void expectProblems(Future<SluiceConfig> future, VertxTestContext test, Consumer<List<String>> check) {
    future.onComplete(test.failing(cause -> test.verify(() -> {
      ConfigException e = assertInstanceOf(ConfigException.class, cause);
      check.accept(e.problems());
      test.completeNow();
    })));
  }
}
