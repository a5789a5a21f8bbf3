package dev.sluice.gateway.route;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PathNormalizerTest {
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "/users/7, /users/7",
    "/a/../b, /b",
    "/a/./b, /a/b",
    "//a///b, /a/b",
    "/a/b/.., /a/",
    "/../../etc/passwd, /etc/passwd",
    "/a/%2e%2e/b, /b",
    "/a/%2E./b, /b",
    "/a/.%2e/b, /b",
    "/a/%2e/b, /a/b",
    "/users/, /users/",
    "/, /",
    "'', /",
    "/a/..., /a/...",
    "/a/.hidden, /a/.hidden",
    "/a/%41, /a/%41"})
  void foldsSlashesAndRemovesDotSegments(String raw, String expected) {
    assertEquals(expected, PathNormalizer.normalize(raw));
  }
}
