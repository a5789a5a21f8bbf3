package dev.sluice.app.log;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.encoder.EncoderBase;
import io.vertx.core.json.JsonObject;
import org.slf4j.event.KeyValuePair;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Every log line of a node: one JSON object per line for machines ({@code timestamp, level,
 * logger, message} plus the event's key-value pairs as fields, e.g. an access line's
 * {@code requestId, route, client, status, durationMs, attempts}), or a plain line for humans
 * ({@code format=text}). The format can change once the config is read.
 */
public final class SluiceLogEncoder extends EncoderBase<ILoggingEvent> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");
  private static final byte[] NOTHING = new byte[0];

  private volatile boolean json = true;

  /** {@code json} or {@code text}; set from logback.xml, then from the node's config. */
  public void setFormat(String format) {
    this.json = !"text".equalsIgnoreCase(format == null ? "" : format.trim());
  }

  public boolean isJson() {
    return json;
  }

  @Override
  public byte[] headerBytes() {
    return NOTHING;
  }

  @Override
  public byte[] footerBytes() {
    return NOTHING;
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    String line = json ? jsonLine(event) : textLine(event);
    return (line + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static String jsonLine(ILoggingEvent event) {
    JsonObject out = new JsonObject()
      .put("timestamp", Instant.ofEpochMilli(event.getTimeStamp()).toString())
      .put("level", event.getLevel().toString())
      .put("logger", event.getLoggerName())
      .put("message", event.getFormattedMessage());
    if (event.getKeyValuePairs() != null) {
      for (KeyValuePair pair : event.getKeyValuePairs()) {
        out.put(pair.key, pair.value);
      }
    }
    IThrowableProxy error = event.getThrowableProxy();
    if (error != null) {
      out.put("error", ThrowableProxyUtil.asString(error));
    }
    return out.encode();
  }

  private static String textLine(ILoggingEvent event) {
    StringBuilder out = new StringBuilder()
      .append(LocalTime.ofInstant(Instant.ofEpochMilli(event.getTimeStamp()), ZoneId.systemDefault()).format(TIME))
      .append(' ').append(String.format(Locale.ROOT, "%-5s", event.getLevel()))
      .append(' ').append(event.getLoggerName())
      .append(" - ").append(event.getFormattedMessage());
    if (event.getKeyValuePairs() != null) {
      for (KeyValuePair pair : event.getKeyValuePairs()) {
        out.append(' ').append(pair.key).append('=').append(pair.value);
      }
    }
    IThrowableProxy error = event.getThrowableProxy();
    if (error != null) {
      out.append('\n').append(ThrowableProxyUtil.asString(error));
    }
    return out.toString();
  }
}
