package dev.sluice.localredis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedisExecutableTest {

  @Test
  void aRedisServerOnPathWinsIfItIsExecutable(@TempDir Path tmp) throws Exception {
    Path notExecutable = Files.createDirectories(tmp.resolve("a"));
    Files.writeString(notExecutable.resolve(RedisExecutable.NAME), "");
    Path executable = Files.createDirectories(tmp.resolve("b"));
    Path binary = Files.writeString(executable.resolve(RedisExecutable.NAME), "#!/bin/sh\n");
    assertTrue(binary.toFile().setExecutable(true));

    String path = String.join(File.pathSeparator, notExecutable.toString(), "", executable.toString());
    assertEquals(Optional.of(binary), RedisExecutable.onPath(path));
  }

  @Test
  void noPathMeansTheEmbeddedBinary(@TempDir Path tmp) throws Exception {
    assertEquals(Optional.empty(), RedisExecutable.onPath(null));
    assertEquals(Optional.empty(), RedisExecutable.onPath(tmp.toString()));
  }
}
