package dev.sluice.app;

import dev.sluice.app.log.LogSetup;
import dev.sluice.gateway.GatewayNode;
import dev.sluice.gateway.config.ConfigLoader;
import dev.sluice.gateway.config.LogFormat;
import dev.sluice.gateway.config.SluiceConfig;
import dev.sluice.localredis.RedisServerProcess;
import dev.sluice.mock.UpstreamMockOptions;
import dev.sluice.mock.UpstreamMockVerticle;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * {@code demo}: everything on one machine with nothing installed but a JDK — a real Redis (from
 * PATH or the embedded-redis binary), an upstream-mock, and a gateway with a demo route table.
 */
final class SluiceDemo {
  /** The demo's admin token; a real node takes it from its config or SLUICE_ADMIN_TOKEN. */
  static final String DEMO_TOKEN = "demo-token";
  static final int DEMO_PLAIN_PORT = 8080;
  static final int DEMO_TLS_PORT = 8443;

  private SluiceDemo() {
  }

  static void run(Command command, Map<String, String> env) {
    // The config needs Redis's and the mock's ports, but Redis starting is already a log line.
    LogSetup.apply(earlyLogFormat(env));
    RedisServerProcess redis;
    try {
      redis = RedisServerProcess.start();
    } catch (RuntimeException e) {
      throw SluiceMain.startupFailure("cannot start the embedded Redis", e);
    }
    PrometheusMeterRegistry registry = NodeVertx.newRegistry();
    Vertx vertx = NodeVertx.standalone(registry);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      SluiceNode.stop(vertx, command.shutdownGrace());
      redis.stop();
    }, "sluice-stop"));
    try {
      UpstreamMockVerticle mock = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1").setPort(0));
      SluiceNode.await(vertx.deployVerticle(mock), "cannot start the upstream-mock");
      // A second replica, so that one route shows balancing and ejection across targets.
      UpstreamMockVerticle replica = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1").setPort(0));
      SluiceNode.await(vertx.deployVerticle(replica), "cannot start the second upstream-mock");
      JsonObject json = demoConfig(mock.actualPort(), replica.actualPort(), redis.url());
      if (command.tls()) {
        withTls(json, DemoCertificate.make());
      }
      SluiceConfig config = ConfigLoader.fromJson(json, env);
      LogSetup.apply(config.log().format());
      SluiceNode.deployGateway(vertx, config, GatewayNode.standalone(registry).withShutdownGrace(command.shutdownGrace()),
        command.instances());
      SluiceNode.deployAdmin(vertx, config, registry);
      printWelcome(config, mock.actualPort(), replica.actualPort(), redis.url());
    } catch (RuntimeException e) {
      vertx.close().await();
      redis.stop();
      throw e;
    }
  }

  /**
   * The format the demo's config will give its logs ({@code text}, unless {@code SLUICE_LOG_FORMAT}
   * asks for {@code json}), for the lines written before that config exists. Once read, the config
   * is applied again and has the last word, a bad value included.
   */
  static LogFormat earlyLogFormat(Map<String, String> env) {
    String chosen = env.get("SLUICE_LOG_FORMAT");
    return chosen != null && chosen.trim().equalsIgnoreCase("json") ? LogFormat.JSON : LogFormat.TEXT;
  }

  /** The demo's route table: each route shows one feature against the mock. */
  static JsonObject demoConfig(int mockPort, int replicaPort, String redisUrl) {
    String mock = "http://127.0.0.1:" + mockPort;
    String replica = "http://127.0.0.1:" + replicaPort;
    return new JsonObject()
      .put("http", new JsonObject().put("host", "127.0.0.1").put("port", 8080))
      .put("admin", new JsonObject().put("host", "127.0.0.1").put("port", 9090).put("token", DEMO_TOKEN))
      .put("redis", new JsonObject().put("url", redisUrl))
      // A person reads the demo's console: plain lines, unless SLUICE_LOG_FORMAT says otherwise.
      .put("log", new JsonObject().put("format", "text"))
      .put("defaults", new JsonObject()
        .put("timeoutMs", 1000)
        .put("rateLimit", new JsonObject().put("limit", 1000).put("windowMs", 60_000))
        .put("circuit", new JsonObject().put("failureThreshold", 3).put("resetTimeoutMs", 10_000)))
      .put("routes", new JsonArray()
        .add(route("echo", "/echo", mock + "/anything", true))
        .add(route("flaky", "/flaky", mock, false))
        .add(route("slow", "/delay", mock, false))
        .add(route("status", "/status", mock, false))
        .add(route("limited", "/limited", mock + "/anything", true)
          .put("rateLimit", new JsonObject().put("limit", 5).put("windowMs", 10_000)))
        // API-key consumers: made with the admin's POST /__consumers, counted by consumer id, not by key.
        .add(route("keyed", "/keyed", mock + "/anything", true).put("auth", "apiKey")
          .put("rateLimit", new JsonObject().put("limit", 5).put("windowMs", 10_000)))
        .add(new JsonObject().put("name", "pair").put("prefix", "/pair").put("stripPrefix", true)
          .put("upstream", new JsonArray().add(mock + "/anything").add(replica + "/anything"))
          .put("balance", "round-robin")
          // A failing replica is the targets' business here: retried on the other one, then ejected,
          // while the route's circuit (which counts every failure of the route) stays closed.
          .put("retry", new JsonObject().put("retryOn", new JsonArray().add("connect").add("timeout").add(500).add(502)
            .add(503).add(504)))
          .put("circuit", new JsonObject().put("failureThreshold", 50))
          .put("outlier", new JsonObject().put("consecutiveFailures", 3).put("ejectMs", 10_000))
          .put("health", new JsonObject().put("path", "/health").put("intervalMs", 2000))));
  }

  /** {@code demo --tls}: the gateway on https://127.0.0.1:8443 (h2 and HTTP/1.1), 8080 redirecting to it. */
  static JsonObject withTls(JsonObject demo, DemoCertificate.PemFiles files) {
    demo.getJsonObject("http").put("port", DEMO_TLS_PORT).put("redirectPort", DEMO_PLAIN_PORT)
      .put("tls", new JsonObject().put("cert", files.cert().toString()).put("key", files.key().toString()));
    return demo;
  }

  private static JsonObject route(String name, String prefix, String upstream, boolean stripPrefix) {
    return new JsonObject().put("name", name).put("prefix", prefix).put("upstream", upstream)
      .put("stripPrefix", stripPrefix);
  }

  private static void printWelcome(SluiceConfig config, int mockPort, int replicaPort, String redisUrl) {
    boolean tls = config.http().tlsOn();
    String gw = (tls ? "https://" : "http://") + config.http().host() + ":" + config.http().port();
    // -k: the demo's certificate is self-signed; --http2: ALPN offers h2 (curl -v shows "ALPN: server accepted h2")
    String curl = tls ? "curl -k --http2 " : "curl ";
    String admin = "http://" + config.admin().host() + ":" + config.admin().port();
    System.out.println(String.join("\n", Stream.of(
      "",
      "Sluice demo is running (Ctrl-C stops it all).",
      "  gateway        " + gw,
      "  upstream-mock  http://127.0.0.1:" + mockPort + " and http://127.0.0.1:" + replicaPort + " (route /pair)",
      "  redis          " + redisUrl,
      tls ? "  tls            a self-signed certificate for localhost, made at start; HTTP/2 by ALPN;"
        + " http://" + config.http().host() + ":" + config.http().redirectPort() + " answers 308 to https" : null,
      "",
      "Try:",
      "  " + curl + "-i " + gw + "/echo/hello?x=1          # forwarded to the mock, which echoes what it got",
      "  " + curl + "-i " + gw + "/flaky/demo?fail=2       # upstream fails twice with 503; retried, answers 200",
      "  " + curl + "-i " + gw + "/delay/3000              # slower than the route's 1 s timeout: 504 UPSTREAM_TIMEOUT",
      "  for i in 1 2 3 4; do " + curl + "-s " + gw + "/status/500; echo; done",
      "                                                # 3 failures open the circuit: 503 CIRCUIT_OPEN",
      "                                                # (the instances of a node share one circuit: the 4th call is refused)",
      "  for i in $(seq 6); do " + curl + "-s -o /dev/null -w '%{http_code} ' " + gw + "/limited; done; echo",
      "                                                # 5 per 10 s per client: the 6th is 429 RATE_LIMITED",
      "  " + curl + "-i " + gw + "/keyed/hi                # 401 UNAUTHENTICATED: the route needs an API key",
      "  KEY=$(" + curl + "-s -X POST -H 'Authorization: Bearer " + DEMO_TOKEN + "' -H 'Content-Type: application/json' \\\n"
        + "      -d '{\"id\":\"acme\"}' " + admin
        + "/__consumers | grep -o 'sk_[A-Za-z0-9_-]*')",
      "                                                # consumer acme and its key, shown this once",
      "  " + curl + "-i -H \"X-Api-Key: $KEY\" " + gw + "/keyed/hi   # 200; 5 per 10 s for acme, whichever of its keys",
      "  " + curl + "-s -H 'Authorization: Bearer " + DEMO_TOKEN + "' " + admin + "/__consumers/acme",
      "                                                # digest prefixes only; DELETE .../keys/<prefix> revokes",
      "  for i in 1 2 3 4; do " + curl + "-s " + gw + "/pair/hi | grep -o '\"host\":\\[\"[^\"]*\"'; done",
      "                                                # two targets, in turn",
      "  curl -s -X POST -H 'Content-Type: application/json' -d '{\"failureRate\":1}' http://127.0.0.1:" + replicaPort
        + "/__mock/config",
      "                                                # the replica fails: retried on the other target (still 200),",
      "                                                # and after 3 failures in a row ejected for 10 s",
      "  " + curl + "-i " + gw + "/nowhere                 # 404 NO_ROUTE",
      "",
      "Admin (" + admin + "):",
      "  open " + admin + "/ui/                     # the live page (token for reset/open: " + DEMO_TOKEN + ")",
      "  curl -s " + admin + "/__circuit              # every instance's view of every route",
      "  curl -s " + admin + "/__upstreams            # each route's targets: up, ejected (by whom, how long), unhealthy",
      "  curl -s " + admin + "/__limits?client=127.0.0.1",
      "  curl -s " + admin + "/__health; curl -s " + admin + "/__metrics | grep ^sluice_",
      "  curl -s -X POST -H 'Authorization: Bearer " + DEMO_TOKEN + "' " + admin + "/__circuit/status/reset",
      config.admin().bridgeOn()
        ? "  python3 examples/sluice_bridge.py --port " + config.admin().bridgePort() + " tail   # the event bus over TCP"
        : "  (SLUICE_ADMIN_BRIDGE_PORT=9091 turns on the TCP event-bus bridge: examples/sluice_bridge.py)",
      "").filter(Objects::nonNull).toList()));
  }
}
