package dev.sluice.app;

import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.GatewayVerticle;
import dev.sluice.gateway.config.ConfigLoader;
import dev.sluice.gateway.config.ConfigException;
import dev.sluice.gateway.config.SluiceConfig;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.Map;

/** {@code run}: one gateway node from a config file. Runs on the main thread, so it may wait. */
final class SluiceNode {
  private SluiceNode() {
  }

  static void run(Command command, Map<String, String> env) {
    Vertx vertx = Vertx.vertx();
    try {
      SluiceConfig config = await(ConfigLoader.load(vertx, command.config(), env), "cannot read config");
      deployGateway(vertx, config, command.instances());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> vertx.close().await()));
      System.out.printf("sluice: gateway listening on http://%s:%d (%d instance%s, %d route%s)%n",
        config.http().host(), config.http().port(), command.instances(), command.instances() == 1 ? "" : "s",
        config.routes().size(), config.routes().size() == 1 ? "" : "s");
    } catch (RuntimeException e) {
      vertx.close().await();
      throw e;
    }
  }

  static void deployGateway(Vertx vertx, SluiceConfig config, int instances) {
    GatewayNode node = GatewayNode.standalone();
    await(vertx.deployVerticle(() -> new GatewayVerticle(config, node),
        new DeploymentOptions().setInstances(instances)),
      "cannot start the gateway on " + config.http().host() + ":" + config.http().port());
  }

  /** Waits on the main thread; a config problem passes through as it is, anything else is named. */
  static <T> T await(Future<T> future, String what) {
    try {
      return future.await();
    } catch (ConfigException e) {
      throw e;
    } catch (Exception e) {
      // await() rethrows the cause as it is, checked or not (a BindException, say)
      throw SluiceMain.startupFailure(what, e);
    }
  }
}
