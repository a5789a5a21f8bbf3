package dev.sluice.gateway.edge;

import io.vertx.core.net.JdkSSLEngineOptions;
import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;

/**
 * The TLS implementation of the client-facing listener: BoringSSL (Netty's tcnative, shipped for
 * Linux x86_64) where its native library loads, the JDK's engine elsewhere. On the benchmark's
 * HTTPS/1.1 keep-alive row BoringSSL cost about 10 µs less CPU per request than the JDK's engine
 * (54 against 64) and answered 12 % more requests per second (bench/RESULTS.md, "TLS engine").
 * Both speak the same protocols and suites ({@link EdgeListener}); only the speed differs.
 */
public final class TlsEngine {
  private TlsEngine() {
  }

  /** The engine to listen with, chosen once per listener. */
  public static SSLEngineOptions forListener() {
    return OpenSSLEngineOptions.isAvailable() ? new OpenSSLEngineOptions() : new JdkSSLEngineOptions();
  }

  /** What the node's start-up line says: the engine, and why not BoringSSL when it is the JDK's. */
  public static String describe() {
    if (OpenSSLEngineOptions.isAvailable()) {
      return "TLS by BoringSSL";
    }
    Throwable why = io.netty.handler.ssl.OpenSsl.unavailabilityCause();
    return "TLS by the JDK" + (why == null ? "" : ", BoringSSL unavailable: " + why.getMessage());
  }
}
