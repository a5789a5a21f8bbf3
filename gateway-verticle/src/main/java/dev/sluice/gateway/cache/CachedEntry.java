package dev.sluice.gateway.cache;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One stored answer, as one Redis value: {@code [path length][path][meta length][meta JSON][body]}.
 * The path comes first so that a purge by prefix reads a few bytes of each entry, not the whole.
 *
 * <p>No time of day is stored: an entry's age is its {@code initialAgeMs} (the upstream's own
 * {@code Age}) plus how long it has been in Redis, which is {@code lifetimeMs} minus the key's PTTL,
 * both on Redis's clock. Two gateways' clocks are never compared.
 *
 * @param headers     the upstream's end-to-end headers, without Content-Length and Age
 * @param freshnessMs how long after its birth the answer is fresh (0: revalidate every time)
 * @param lifetimeMs  the PX the entry was written with: freshness plus the longest stale use
 * @param shared      the answer said {@code public} or {@code s-maxage}: it may be served to a request with Authorization
 */
public record CachedEntry(String path, int status, List<Map.Entry<String, String>> headers, Buffer body,
                          long freshnessMs, long initialAgeMs, long lifetimeMs, boolean shared) {
  public CachedEntry {
    headers = List.copyOf(headers);
  }

  public String header(String name) {
    for (Map.Entry<String, String> header : headers) {
      if (header.getKey().equalsIgnoreCase(name)) {
        return header.getValue();
      }
    }
    return null;
  }

  /** Whether a stale copy can be checked with the upstream instead of fetched again. */
  public boolean hasValidators() {
    return header("ETag") != null || header("Last-Modified") != null;
  }

  /** Memory an entry holds, roughly: what the local tier's byte bound counts. */
  public long weight() {
    long weight = body.length() + path.length() + 64;
    for (Map.Entry<String, String> header : headers) {
      weight += header.getKey().length() + header.getValue().length() + 8;
    }
    return weight;
  }

  /**
   * This entry refreshed by a 304: the 304's headers replace the stored ones of the same name
   * (RFC 9111 §4.3.4), the body stays, and the age starts again.
   */
  public CachedEntry refreshedBy(MultiMap notModified, long newFreshnessMs, long newInitialAgeMs, long newLifetimeMs) {
    List<Map.Entry<String, String>> merged = new ArrayList<>();
    for (Map.Entry<String, String> header : headers) {
      if (!notModified.contains(header.getKey())) {
        merged.add(header);
      }
    }
    for (Map.Entry<String, String> header : notModified) {
      merged.add(Map.entry(header.getKey(), header.getValue()));
    }
    return new CachedEntry(path, status, merged, body, newFreshnessMs, newInitialAgeMs, newLifetimeMs, shared);
  }

  public Buffer encode() {
    JsonArray headerList = new JsonArray();
    headers.forEach(h -> headerList.add(new JsonArray().add(h.getKey()).add(h.getValue())));
    Buffer meta = new JsonObject().put("status", status).put("headers", headerList).put("freshnessMs", freshnessMs)
      .put("initialAgeMs", initialAgeMs).put("lifetimeMs", lifetimeMs).put("shared", shared).toBuffer();
    byte[] pathBytes = path.getBytes(StandardCharsets.UTF_8);
    return Buffer.buffer(8 + pathBytes.length + meta.length() + body.length())
      .appendInt(pathBytes.length).appendBytes(pathBytes).appendInt(meta.length()).appendBuffer(meta).appendBuffer(body);
  }

  /** @throws IllegalArgumentException for a value that is not an entry (a foreign key under our prefix) */
  public static CachedEntry decode(Buffer value) {
    try {
      int pathLength = value.getInt(0);
      String path = value.getString(4, 4 + pathLength, "UTF-8");
      int metaStart = 8 + pathLength;
      int metaLength = value.getInt(4 + pathLength);
      JsonObject meta = new JsonObject(value.getBuffer(metaStart, metaStart + metaLength));
      List<Map.Entry<String, String>> headers = new ArrayList<>();
      for (Object item : meta.getJsonArray("headers")) {
        JsonArray pair = (JsonArray) item;
        headers.add(Map.entry(pair.getString(0), pair.getString(1)));
      }
      return new CachedEntry(path, meta.getInteger("status"), headers, value.getBuffer(metaStart + metaLength, value.length()),
        meta.getLong("freshnessMs"), meta.getLong("initialAgeMs"), meta.getLong("lifetimeMs"), meta.getBoolean("shared"));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a cache entry: " + e.getMessage(), e);
    }
  }

  /** The path of an encoded entry from its first bytes, or null when they do not hold all of it. */
  public static String pathOf(Buffer head) {
    if (head.length() < 4) {
      return null;
    }
    int pathLength = head.getInt(0);
    return pathLength < 0 || head.length() < 4 + pathLength ? null : head.getString(4, 4 + pathLength, "UTF-8");
  }
}
