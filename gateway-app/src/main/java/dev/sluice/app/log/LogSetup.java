package dev.sluice.app.log;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import dev.sluice.gateway.config.LogFormat;
import org.slf4j.LoggerFactory;

import java.util.Iterator;
import java.util.Locale;

/** Applies the config's {@code log.format} to the node's encoder once the config is read. */
public final class LogSetup {
  private LogSetup() {
  }

  public static void apply(LogFormat format) {
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      return;
    }
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    for (Iterator<Appender<ch.qos.logback.classic.spi.ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      if (it.next() instanceof OutputStreamAppender<?> appender && appender.getEncoder() instanceof SluiceLogEncoder encoder) {
        encoder.setFormat(format.name().toLowerCase(Locale.ROOT));
      }
    }
  }
}
