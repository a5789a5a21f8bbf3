package dev.sluice.localredis;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import redis.embedded.core.ExecutableProvider;

/**
 * Finds a {@code redis-server} to run: the one on {@code PATH} if there is one (an operator's
 * own build wins), else the binary shipped inside the {@code com.github.codemonstur:embedded-redis}
 * jar, copied into a directory the caller owns and deletes.
 */
final class RedisExecutable {
  static final String NAME = "redis-server";

  private RedisExecutable() {
  }

  /** Blocking: may copy ~10 MB out of the jar. */
  static Path locate(Path copyDir) throws IOException {
    Optional<Path> onPath = onPath(System.getenv("PATH"));
    if (onPath.isPresent()) {
      return onPath.get();
    }
    // The library picks the binary for this OS/arch and marks it executable.
    return ExecutableProvider.newJarResourceProvider(copyDir.toFile()).get().toPath();
  }

  static Optional<Path> onPath(String path) {
    if (path == null || path.isBlank()) {
      return Optional.empty();
    }
    return Stream.of(path.split(File.pathSeparator))
        .filter(dir -> !dir.isBlank())
        .map(dir -> Path.of(dir, NAME))
        .filter(candidate -> Files.isRegularFile(candidate) && Files.isExecutable(candidate))
        .findFirst();
  }
}
