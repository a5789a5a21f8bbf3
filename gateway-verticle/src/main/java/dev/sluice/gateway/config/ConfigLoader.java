package dev.sluice.gateway.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.FileSystemException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the config file with vertx-config (a {@code file} store, {@code yaml} or {@code json} by extension),
 * applies the environment overrides, and validates. Every failure is a {@link ConfigException} whose message
 * the launcher prints as is: user errors never end in a stack trace.
 */
public final class ConfigLoader {
  private ConfigLoader() {
  }

  /**
   * @param env the process environment ({@code System.getenv()}), passed in so tests need not touch it
   * @return the validated config, or a failure with a {@link ConfigException}
   */
  public static Future<SluiceConfig> load(Vertx vertx, Path file, Map<String, String> env) {
    String format = formatOf(file);
    if (format == null) {
      return Future.failedFuture(ConfigException.of("config: unsupported file type " + file
          + " (use .yaml, .yml or .json)"));
    }
    ConfigRetriever retriever;
    try {
      retriever = ConfigRetriever.create(vertx, retrieverOptions(file, format));
    } catch (IllegalArgumentException | IllegalStateException e) {
      return Future.failedFuture(e); // a format module missing from the classpath: a build bug, not a user error
    }
    return retriever.getConfig()
        .eventually(retriever::close)
        .recover(cause -> Future.failedFuture(readFailure(file, cause)))
        .map(json -> fromJson(json, env));
  }

  private static ConfigRetrieverOptions retrieverOptions(Path file, String format) {
    // scan period 0: read once. Route changes come through PUT /__routes, not by watching the file.
    return new ConfigRetrieverOptions()
        .setScanPeriod(0)
        .addStore(new ConfigStoreOptions()
            .setType("file")
            .setFormat(format)
            // absolute: Vert.x would otherwise fall back to a classpath resource of the same relative name
            .setConfig(new JsonObject().put("path", file.toAbsolutePath().toString())));
  }

  /** The same as {@link #load} for a config built in code, such as the demo's. {@code json} is not modified. */
  public static SluiceConfig fromJson(JsonObject json, Map<String, String> env) {
    JsonObject copy = json.copy();
    return ConfigParser.parse(copy, EnvOverrides.apply(copy, env));
  }

  private static String formatOf(Path file) {
    String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
    if (name.endsWith(".yaml") || name.endsWith(".yml")) {
      return "yaml";
    }
    return name.endsWith(".json") ? "json" : null;
  }

  private static ConfigException readFailure(Path file, Throwable cause) {
    if (cause instanceof FileSystemException) {
      return ConfigException.of("config: cannot read " + file + " (" + ioReason(cause.getCause()) + ")");
    }
    return ConfigException.of("config: cannot parse " + file + ": " + syntaxReason(cause));
  }

  private static String ioReason(Throwable cause) {
    if (cause instanceof NoSuchFileException) {
      return "no such file";
    }
    if (cause instanceof AccessDeniedException) {
      return "permission denied";
    }
    return cause == null || cause.getMessage() == null ? "I/O error" : cause.getMessage();
  }

  /** The parser's own words and where, without the multi-line snippet that YAML and Jackson add. */
  private static String syntaxReason(Throwable cause) {
    if (cause instanceof MarkedYAMLException yaml) {
      return yaml.getProblem() + at(yaml.getProblemMark());
    }
    if (cause instanceof DecodeException && cause.getCause() instanceof JsonProcessingException json) {
      JsonLocation where = json.getLocation();
      return json.getOriginalMessage() + (where == null ? "" : " (line " + where.getLineNr() + ", column "
          + where.getColumnNr() + ")");
    }
    // vertx-config fails this way when the document is a list, a scalar or only comments
    return "the top level must be a mapping of keys such as http and routes";
  }

  private static String at(Mark mark) {
    return mark == null ? "" : " (line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ")";
  }
}
