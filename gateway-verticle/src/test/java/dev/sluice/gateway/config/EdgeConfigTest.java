package dev.sluice.gateway.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The edge's keys (DESIGN.md, "The edge"): their shape, defaults and errors, each by field path. */
class EdgeConfigTest {
  private static final JsonArray ROUTES = new JsonArray().add(new JsonObject().put("name", "r").put("prefix", "/r")
    .put("upstream", "https://pay.internal:8443"));

  @Test
  void withoutTlsTheListenerIsCleartextAndHttp2IsNotOffered() {
    HttpOptions http = parse(new JsonObject()).http();
    assertNull(http.tls());
    assertFalse(http.http2On());
    assertEquals(HttpOptions.NO_REDIRECT, http.redirectPort());
  }

  @Test
  void tlsTakesPemFilesSniEntriesAndDefaults() {
    HttpOptions http = parse(new JsonObject().put("tls", new JsonObject().put("cert", "/etc/sluice/tls.crt")
        .put("key", "/etc/sluice/tls.key")
        .put("sni", new JsonArray().add(new JsonObject().put("host", "*.example.com").put("cert", "/a.crt").put("key", "/a.key"))))
      .put("redirectPort", 8080).put("port", 8443)).http();
    assertEquals(new TlsOptions(Path.of("/etc/sluice/tls.crt"), Path.of("/etc/sluice/tls.key"), 60,
      List.of(new TlsOptions.SniCertificate("*.example.com", Path.of("/a.crt"), Path.of("/a.key")))), http.tls());
    assertTrue(http.http2On());
    assertEquals(Http2Options.DEFAULT, http.http2());
    assertEquals(8080, http.redirectPort());
  }

  @Test
  void http2IsABooleanOrAnObject() {
    JsonObject tls = new JsonObject().put("cert", "/c").put("key", "/k");
    assertFalse(parse(new JsonObject().put("tls", tls).put("http2", false)).http().http2On());
    assertEquals(new Http2Options(true, 250),
      parse(new JsonObject().put("tls", tls.copy()).put("http2", new JsonObject().put("maxConcurrentStreams", 250))).http().http2());
  }

  @Test
  void everyEdgeMistakeIsReportedByPath() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(new JsonObject()
      .put("tls", new JsonObject().put("cert", "").put("reloadSeconds", -1).put("crt", "/x")
        .put("sni", new JsonArray().add(new JsonObject().put("host", "bad host").put("cert", "/c"))))
      .put("http2", new JsonObject().put("maxConcurrentStreams", 0))));
    assertEquals(List.of("http.tls.cert: must not be empty", "http.tls.key: required",
      "http.tls.reloadSeconds: must be >= 0", "http.tls.sni[0].host: must be a host name, or *. and a domain",
      "http.tls.sni[0].key: required", "http.tls.crt: unknown key (did you mean cert?)",
      "http.http2.maxConcurrentStreams: must be between 1 and 2147483647"), e.problems());
  }

  @Test
  void aRedirectPortNeedsTlsAndAPortOfItsOwn() {
    assertEquals(List.of("http.redirectPort: needs http.tls: there is no https:// listener to redirect to"),
      assertThrows(ConfigException.class, () -> parse(new JsonObject().put("redirectPort", 8080))).problems());
    assertEquals(List.of("http.redirectPort: must differ from http.port (8443)"),
      assertThrows(ConfigException.class, () -> parse(new JsonObject().put("port", 8443).put("redirectPort", 8443)
        .put("tls", new JsonObject().put("cert", "/c").put("key", "/k")))).problems());
    assertEquals(List.of("http.redirectPort: must differ from admin.port and admin.bridgePort (9090)"),
      assertThrows(ConfigException.class, () -> parse(new JsonObject().put("port", 8443).put("redirectPort", 9090)
        .put("tls", new JsonObject().put("cert", "/c").put("key", "/k")))).problems());
  }

  @Test
  void aRoutesTlsNamesItsCaServerNameAndVerifyAndRoundTrips() {
    JsonObject json = new JsonObject().put("routes", new JsonArray().add(ROUTES.getJsonObject(0).copy()
      .put("tls", new JsonObject().put("caFile", "/etc/sluice/internal-ca.pem").put("serverName", "pay.internal"))));
    SluiceConfig config = ConfigParser.parse(json);
    assertEquals(new UpstreamTls(Path.of("/etc/sluice/internal-ca.pem"), "pay.internal", true), config.routes().get(0).tls());
    assertEquals(config, ConfigParser.parse(ConfigJson.toJson(config)), "a route reload carries it to other nodes");
  }

  @Test
  void aRouteSpeaksHttp11UpstreamUnlessItSaysH2() {
    assertFalse(ConfigParser.parse(new JsonObject().put("routes", ROUTES)).routes().get(0).h2());
    SluiceConfig config = ConfigParser.parse(new JsonObject().put("routes", new JsonArray()
      .add(ROUTES.getJsonObject(0).copy().put("h2", true))));
    assertTrue(config.routes().get(0).h2());
    assertEquals(config, ConfigParser.parse(ConfigJson.toJson(config)));
  }

  @Test
  void aRoutesTlsMistakesAreReportedByPath() {
    JsonObject json = new JsonObject().put("routes", new JsonArray()
      .add(ROUTES.getJsonObject(0).copy().put("tls", new JsonObject().put("caFile", "/ca.pem").put("verify", false)
        .put("serverName", "*.wild")))
      .add(new JsonObject().put("name", "plain").put("prefix", "/p").put("upstream", "http://127.0.0.1:1")
        .put("tls", new JsonObject())));
    assertEquals(List.of("routes[0].tls.serverName: must be a host name",
        "routes[0].tls.verify: false ignores caFile; set one or the other",
        "routes[1].tls: the route has no https:// target"),
      assertThrows(ConfigException.class, () -> ConfigParser.parse(json)).problems());
  }

  private static SluiceConfig parse(JsonObject http) {
    return ConfigLoader.fromJson(new JsonObject().put("http", http).put("routes", ROUTES), Map.of());
  }
}
