package dev.sluice.gateway.edge;

import io.vertx.core.net.OpenSSLEngineOptions;
import io.vertx.core.net.SSLEngineOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The engine choice. The listener's behaviour on either engine is TlsListenerTest's (it runs on
 * whichever loads here); this pins that the shipped native library does load where it is meant to.
 */
class TlsEngineTest {
  @Test
  void onLinuxX8664TheShippedBoringSslServesTheListener() {
    assumeTrue(System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64"),
      "BoringSSL is shipped for Linux x86_64 only; here the JDK's engine serves");
    SSLEngineOptions engine = TlsEngine.forListener();
    assertInstanceOf(OpenSSLEngineOptions.class, engine, TlsEngine.describe());
    assertEquals("TLS by BoringSSL", TlsEngine.describe());
  }
}
