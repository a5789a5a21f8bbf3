package dev.sluice.admin.bridge;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetServerOptions;
import io.vertx.ext.bridge.BridgeOptions;
import io.vertx.ext.eventbus.bridge.tcp.TcpEventBusBridge;
import io.vertx.ext.eventbus.bridge.tcp.impl.protocol.FrameHelper;

/**
 * The event bus for any language: vertx-tcp-eventbus-bridge (each frame a 4-byte big-endian length
 * and a JSON object) on {@code admin.bridgePort}, bound to {@code admin.host} like the admin
 * listener, with {@link BridgePermissions} and {@link BridgeGuard}.
 */
public final class TcpBridge {
  private final TcpEventBusBridge bridge;
  private final String host;
  private final int port;

  public TcpBridge(Vertx vertx, BridgeGuard guard, String host, int port) {
    this.host = host;
    this.port = port;
    this.bridge = TcpEventBusBridge.create(vertx, BridgePermissions.applyTo(new BridgeOptions()),
      new NetServerOptions(), event -> guard.inspect(event).ifPresentOrElse(
        frame -> {
          FrameHelper.writeFrame(frame, event.socket());
          event.complete(false);
        },
        () -> event.complete(true)));
  }

  public Future<Void> start() {
    return bridge.listen(port, host).mapEmpty();
  }

  public Future<Void> stop() {
    return bridge.close();
  }
}
