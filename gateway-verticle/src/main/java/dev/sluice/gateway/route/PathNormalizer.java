package dev.sluice.gateway.route;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Normalises a request path before routing, so that no spelling of a path reaches a route the
 * table does not name: duplicate slashes are folded and dot segments removed (RFC 3986 §5.2.4),
 * including percent-encoded dots ({@code %2e%2e}) that an upstream would decode.
 */
public final class PathNormalizer {
  private PathNormalizer() {
  }

  /** @return an absolute path starting with '/', never climbing above the root */
  public static String normalize(String rawPath) {
    if (rawPath == null || rawPath.isEmpty()) {
      return "/";
    }
    if (isAlreadyNormal(rawPath)) {
      return rawPath;
    }
    List<String> segments = new ArrayList<>();
    boolean trailingSlash = rawPath.endsWith("/");
    for (String segment : rawPath.split("/")) {
      if (segment.isEmpty() || isDot(segment)) {
        continue;
      }
      if (isDotDot(segment)) {
        if (!segments.isEmpty()) {
          segments.remove(segments.size() - 1);
        }
        continue;
      }
      segments.add(segment);
    }
    String lastRaw = rawPath.substring(rawPath.lastIndexOf('/') + 1);
    boolean endsInDirectory = trailingSlash || isDot(lastRaw) || isDotDot(lastRaw);
    StringBuilder out = new StringBuilder(rawPath.length());
    for (String segment : segments) {
      out.append('/').append(segment);
    }
    if (out.length() == 0 || endsInDirectory) {
      out.append('/');
    }
    return out.toString();
  }

  /** The hot path: most paths have no '//', no '.' segment and no '%2e', so they pass untouched. */
  private static boolean isAlreadyNormal(String path) {
    if (path.charAt(0) != '/') {
      return false;
    }
    for (int i = 1; i < path.length(); i++) {
      char c = path.charAt(i);
      char prev = path.charAt(i - 1);
      if ((c == '/' && prev == '/') || c == '%' || (c == '.' && prev == '/')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDot(String segment) {
    return ".".equals(decodeDots(segment));
  }

  private static boolean isDotDot(String segment) {
    return "..".equals(decodeDots(segment));
  }

  private static String decodeDots(String segment) {
    return segment.length() > 6 ? segment : segment.toLowerCase(Locale.ROOT).replace("%2e", ".");
  }
}
