package dev.sluice.gateway.config;

import dev.sluice.gateway.auth.RouteAuth;
import dev.sluice.gateway.upstream.TargetConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/** Reads the route table: each route's own keys, its policy on top of {@code defaults}, and table-wide uniqueness. */
final class RouteReader {
  /** Names go into Redis keys, metric labels and lock names, so they stay plain. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]+");
  /** RFC 3986 path characters (pchar and '/'), '?' and '#' excluded: they end a path. */
  private static final Pattern PATH_CHARS = Pattern.compile("[A-Za-z0-9\\-._~!$&'()*+,;=:@%/]*");
  private static final String NOT_AN_URL = "not an absolute http(s) URL";

  private RouteReader() {
  }

  static List<RouteConfig> read(ConfigValue routes, RoutePolicy defaults) {
    Optional<List<ConfigValue>> list = routes.required().list();
    List<ConfigValue> items = list.orElse(List.of());
    if (list.isPresent() && items.isEmpty()) {
      routes.problem("must list at least one route");
    }
    List<RouteConfig> table = new ArrayList<>();
    Map<String, String> pathByName = new HashMap<>();
    Map<String, String> pathByPrefix = new HashMap<>();
    for (ConfigValue item : items) {
      route(item, defaults).ifPresent(route -> {
        unique(routes, "route name", route.name(), item.path(), pathByName);
        unique(routes, "prefix", route.prefix(), item.path(), pathByPrefix);
        table.add(route);
      });
    }
    return table;
  }

  private static Optional<RouteConfig> route(ConfigValue item, RoutePolicy defaults) {
    ConfigNode node = item.object();
    if (!(item.raw() instanceof JsonObject)) {
      return Optional.empty(); // already reported; "name: required" and the like would only be noise
    }
    Optional<String> name = checked(node.value("name"), RouteReader::nameProblem).map(String::trim);
    Optional<String> prefix = checked(node.value("prefix"), RouteReader::prefixProblem)
        .map(RouteReader::withoutTrailingSlash);
    Optional<List<TargetConfig>> upstream = targets(node.value("upstream"));
    boolean stripPrefix = node.bool("stripPrefix", false);
    RoutePolicy policy = PolicyReader.read(node, defaults);
    RouteAuth auth = AuthReader.route(node);
    var cache = CacheReader.read(node.value("cache"));
    UpstreamTls tls = EdgeReader.upstreamTls(node.value("tls"),
        upstream.map(targets -> targets.stream().anyMatch(t -> "https".equals(t.url().getScheme()))).orElse(true));
    boolean h2 = node.bool("h2", false);
    node.rejectUnknownKeys();
    if (name.isEmpty() || prefix.isEmpty() || upstream.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new RouteConfig(name.get(), prefix.get(), upstream.get(), stripPrefix, policy, auth, cache, tls,
        h2));
  }

  /**
   * {@code upstream}: one URL, or a list of URLs and {@code {url, weight}} items. Every item is checked, so one
   * start reports every bad target; a target listed twice is a mistake (its weight says how much it gets).
   */
  private static Optional<List<TargetConfig>> targets(ConfigValue value) {
    if (!(value.raw() instanceof JsonArray)) {
      return checked(value, RouteReader::upstreamProblem).map(url -> List.of(new TargetConfig(normalisedUpstream(url))));
    }
    List<ConfigValue> items = value.list().orElse(List.of());
    if (items.isEmpty()) {
      value.problem("must list at least one target");
      return Optional.empty();
    }
    Map<String, TargetConfig> byUrl = new LinkedHashMap<>();
    boolean ok = true;
    for (ConfigValue item : items) {
      Optional<TargetConfig> target = target(item);
      ok &= target.isPresent();
      target.ifPresent(t -> {
        if (byUrl.putIfAbsent(t.name(), t) != null) {
          item.problem("duplicate target " + t.name());
        }
      });
    }
    return ok && byUrl.size() == items.size() ? Optional.of(List.copyOf(byUrl.values())) : Optional.empty();
  }

  private static Optional<TargetConfig> target(ConfigValue item) {
    if (!(item.raw() instanceof JsonObject)) {
      if (!(item.raw() instanceof String)) {
        item.problem("must be a URL or {url, weight}");
        return Optional.empty();
      }
      return checked(item, RouteReader::upstreamProblem).map(url -> new TargetConfig(normalisedUpstream(url)));
    }
    ConfigNode node = item.object();
    Optional<URI> url = checked(node.value("url"), RouteReader::upstreamProblem).map(RouteReader::normalisedUpstream);
    int weight = node.intValue("weight", Range.between(1, TargetConfig.MAX_WEIGHT), TargetConfig.DEFAULT_WEIGHT);
    node.rejectUnknownKeys();
    return url.map(u -> new TargetConfig(u, weight));
  }

  /** A required string that {@code rule} finds nothing wrong with (it returns the problem, or null). */
  private static Optional<String> checked(ConfigValue value, Function<String, String> rule) {
    return value.required().string().filter(text -> {
      String problem = rule.apply(text.trim());
      if (problem != null) {
        value.problem(problem);
      }
      return problem == null;
    });
  }

  private static void unique(ConfigValue routes, String what, String key, String path, Map<String, String> seen) {
    String first = seen.putIfAbsent(key, path);
    if (first != null) {
      routes.problem("duplicate " + what + " '" + key + "' (" + first + " and " + path + ")");
    }
  }

  private static String nameProblem(String name) {
    return NAME.matcher(name).matches() ? null : "must contain only letters, digits, '_' and '-'";
  }

  /**
   * Requests are matched after their path is normalised ('.' and '..' resolved, '//' folded), so a prefix
   * holding any of those could never match: it is a mistake to report, not a route to keep.
   */
  private static String prefixProblem(String prefix) {
    if (!prefix.startsWith("/")) {
      return "must start with /";
    }
    if (prefix.indexOf('?') >= 0 || prefix.indexOf('#') >= 0) {
      return "must not contain ? or #";
    }
    if (!PATH_CHARS.matcher(prefix).matches()) {
      return "must contain only URL path characters";
    }
    if (prefix.equals("/")) {
      return null;
    }
    String body = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    for (String segment : body.substring(1).split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return "must not contain empty, . or .. segments";
      }
    }
    return null;
  }

  private static String withoutTrailingSlash(String prefix) {
    String trimmed = prefix.trim();
    return trimmed.length() > 1 && trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
  }

  private static String upstreamProblem(String text) {
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      return NOT_AN_URL;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https") || uri.getRawAuthority() == null) {
      return NOT_AN_URL;
    }
    if (uri.getHost() == null) {
      // java.net.URI leaves host null for names such as users_svc, and the forwarder needs a host
      return "host of " + uri.getRawAuthority() + " is not a valid host name or IP address";
    }
    if (uri.getRawUserInfo() != null) {
      return "must not contain user info";
    }
    if (uri.getPort() == 0 || uri.getPort() > 65535) {
      return "port must be between 1 and 65535";
    }
    return uri.getRawQuery() != null || uri.getRawFragment() != null ? "must not have a query or fragment" : null;
  }

  /** Without trailing slashes, so the forwarder can always append the request path (which starts with '/'). */
  private static URI normalisedUpstream(String text) {
    URI uri = URI.create(text.trim());
    String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
    return URI.create(uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getRawAuthority() + path);
  }
}
