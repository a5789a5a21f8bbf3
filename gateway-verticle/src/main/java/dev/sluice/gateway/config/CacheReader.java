package dev.sluice.gateway.config;

import dev.sluice.gateway.cache.CacheOptions;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Reads a route's {@code cache}: absent is {@link CacheOptions#OFF}; an object turns it on with defaults for what it leaves out. */
final class CacheReader {
  /** Only safe methods may be answered from a cache (RFC 9111 §2 in practice: GET, and HEAD from GET). */
  private static final Set<String> CACHEABLE_METHODS = Set.of("GET", "HEAD");

  private CacheReader() {
  }

  static CacheOptions read(ConfigValue value) {
    if (!value.isSet()) {
      return CacheOptions.OFF;
    }
    ConfigNode node = value.object();
    long ttl = node.longValue("ttlSeconds", Range.POSITIVE, 60);
    long maxBody = node.longValue("maxBodyBytes", Range.POSITIVE, CacheOptions.DEFAULT_MAX_BODY_BYTES);
    Set<String> methods = node.value("methods").list().map(CacheReader::methods).orElse(CacheOptions.DEFAULT_METHODS);
    List<String> vary = node.value("vary").list().map(CacheReader::headers).orElse(List.of());
    long staleIfError = node.longValue("staleIfErrorSeconds", Range.NON_NEGATIVE, 0);
    long staleWhileRevalidate = node.longValue("staleWhileRevalidateSeconds", Range.NON_NEGATIVE, 0);
    ConfigNode local = node.object("local");
    int localEntries = local.intValue("maxEntries", Range.NON_NEGATIVE.asInt(), CacheOptions.DEFAULT_LOCAL_MAX_ENTRIES);
    long localBytes = local.longValue("maxBytes", Range.NON_NEGATIVE, CacheOptions.DEFAULT_LOCAL_MAX_BYTES);
    local.rejectUnknownKeys();
    node.rejectUnknownKeys();
    return new CacheOptions(true, ttl, maxBody, methods, vary, staleIfError, staleWhileRevalidate, localEntries,
      localBytes);
  }

  private static Set<String> methods(List<ConfigValue> items) {
    Set<String> methods = new LinkedHashSet<>();
    for (ConfigValue item : items) {
      item.string().map(m -> m.trim().toUpperCase(Locale.ROOT)).ifPresent(method -> {
        if (CACHEABLE_METHODS.contains(method)) {
          methods.add(method);
        } else {
          item.problem("must be GET or HEAD");
        }
      });
    }
    return methods;
  }

  private static List<String> headers(List<ConfigValue> items) {
    List<String> headers = new ArrayList<>();
    for (ConfigValue item : items) {
      item.string().map(String::trim).ifPresent(name -> {
        if (PolicyReader.HTTP_TOKEN.matcher(name).matches()) {
          headers.add(name);
        } else {
          item.problem("must be a header name");
        }
      });
    }
    return headers;
  }
}
