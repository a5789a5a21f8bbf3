package dev.sluice.gateway.cache;

import dev.sluice.gateway.config.ConfigException;
import dev.sluice.gateway.config.ConfigJson;
import dev.sluice.gateway.config.ConfigParser;
import dev.sluice.gateway.config.SluiceConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code routes[i].cache}: read once, validated with field paths, written back the same; and the capture's bound. */
class CacheConfigTest {
  static JsonObject config(JsonObject cache) {
    JsonObject route = new JsonObject().put("name", "catalog").put("prefix", "/c").put("upstream", "http://127.0.0.1:1");
    if (cache != null) {
      route.put("cache", cache);
    }
    return new JsonObject().put("routes", new JsonArray().add(route));
  }

  @Test
  void aRouteWithoutCacheHasItOff() {
    assertFalse(ConfigParser.parse(config(null)).routes().get(0).cache().enabled());
  }

  @Test
  void everyKeyIsReadAndSurvivesARoundTrip() {
    SluiceConfig parsed = ConfigParser.parse(config(new JsonObject().put("ttlSeconds", 30).put("maxBodyBytes", 4096)
      .put("methods", new JsonArray().add("get")).put("vary", new JsonArray().add("Accept-Encoding"))
      .put("staleIfErrorSeconds", 300).put("staleWhileRevalidateSeconds", 10)
      .put("local", new JsonObject().put("maxEntries", 5).put("maxBytes", 1000))));
    CacheOptions cache = parsed.routes().get(0).cache();
    assertEquals(new CacheOptions(true, 30, 4096, Set.of("GET"), List.of("accept-encoding"), 300, 10, 5, 1000), cache);
    assertEquals(cache, ConfigParser.parse(ConfigJson.toJson(parsed)).routes().get(0).cache());
  }

  @Test
  void mistakesNameTheirField() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigParser.parse(config(new JsonObject()
      .put("ttlSeconds", 0).put("methods", new JsonArray().add("POST")).put("local", new JsonObject().put("maxEntrys", 1)))));
    assertEquals(List.of("routes[0].cache.ttlSeconds: must be > 0", "routes[0].cache.methods[0]: must be GET or HEAD",
      "routes[0].cache.local.maxEntrys: unknown key (did you mean maxEntries?)"), e.problems());
  }

  @Test
  void aCaptureDropsItsCopyOnceTheBodyOutgrowsTheBound() {
    BodyCapture capture = new BodyCapture(10);
    capture.chunk(Buffer.buffer("123456"));
    capture.chunk(Buffer.buffer("789012"));
    capture.complete();
    assertTrue(capture.body().failed());
    BodyCapture small = new BodyCapture(10);
    small.chunk(Buffer.buffer("12345"));
    small.complete();
    assertEquals(Buffer.buffer("12345"), small.body().result());
  }

  @Test
  void anEntryDecodesToWhatWasEncodedAndItsPathReadsFromItsHead() {
    CachedEntry entry = new CachedEntry("/c/x", 200, List.of(java.util.Map.entry("ETag", "\"v1\"")),
      Buffer.buffer("body"), 30_000, 2_000, 330_000, true);
    Buffer encoded = entry.encode();
    assertEquals(entry, CachedEntry.decode(encoded));
    assertEquals("/c/x", CachedEntry.pathOf(encoded.getBuffer(0, 12)));
  }
}
