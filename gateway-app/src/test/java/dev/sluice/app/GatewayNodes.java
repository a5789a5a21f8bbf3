package dev.sluice.app;

import dev.sluice.localredis.RedisServerProcess;
import dev.sluice.mock.UpstreamMockOptions;
import dev.sluice.mock.UpstreamMockVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Sluice as the jar ITs run it, for one test class: a real Redis and an upstream-mock (on a
 * Vert.x of their own in this JVM), and gateway JVMs ({@code sluice.jar run}) each launched from a
 * YAML file written for it, optionally all on one Hazelcast cluster over loopback:
 * <pre>{@code
 * @RegisterExtension
 * static final GatewayNodes nodes = GatewayNodes.cluster("sluice-it").admin(TOKEN).instances(1);
 * ...
 * Node a = nodes.start("a", "redis: { url: \"" + nodes.redisUrl() + "\" }", "routes:", ...);
 * }</pre>
 * Redis and the mock start before the class's {@code @BeforeAll} methods. After its
 * {@code @AfterAll} methods, every node JVM this fixture launched is killed by its own
 * {@link Process} handle (SIGKILL: the tests' nodes hold nothing worth a graceful stop), then
 * Vert.x (so the mock), then Redis. Nothing else is stopped: not a process a test started itself,
 * never one found by name. Node configs and logs stay in a temporary directory named at the end.
 */
final class GatewayNodes implements BeforeAllCallback, AfterAllCallback {
  /** A loaded 2-core machine starts a clustered JVM in seconds; a minute and a half means it will not. */
  static final long START_TIMEOUT_MS = 90_000;
  private static final long CLOSE_S = 30;
  /** A free port can be taken between our pick and the node's bind (builds share this machine). */
  private static final int PORT_RACE_ATTEMPTS = 3;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A Hazelcast cluster name prefix, or null when the nodes run standalone. */
  private final String clusterPrefix;
  private NodeOptions defaults = new NodeOptions(false, null, null, "", List.of(), List.of(), Map.of());
  /** Every node JVM launched and not stopped yet, with how it was launched (to relaunch after a port race). */
  private final Map<Node, Launch> running = new LinkedHashMap<>();
  private String clusterName;
  private int clusterPort;
  private int launches;
  private Path dir;

  RedisServerProcess redis;
  /** Also for the test's own clients and servers; closed after the nodes. */
  Vertx vertx;
  int mockPort;

  private GatewayNodes(String clusterPrefix) {
    this.clusterPrefix = clusterPrefix;
  }

  /** Nodes that each run on their own ({@code sluice.jar run} without {@code --cluster}). */
  static GatewayNodes standalone() {
    return new GatewayNodes(null);
  }

  /**
   * Nodes on one Hazelcast cluster of their own over loopback: a name and ports no other run uses,
   * TCP-IP join through a members list of three (the bundled cluster.xml turns multicast off, so
   * the list is the only way they find each other). Nodes started one after another each join the
   * cluster the first one formed.
   */
  static GatewayNodes cluster(String namePrefix) {
    return new GatewayNodes(namePrefix);
  }

  /** Every node gets an admin API (on a port of its own) answering only {@code token}. */
  GatewayNodes admin(String token) {
    defaults = defaults.withAdmin(token);
    return this;
  }

  /** Every node gets an admin API without a token. */
  GatewayNodes admin() {
    return admin(null);
  }

  /** {@code --instances n} on every node; without it a node runs one instance per core. */
  GatewayNodes instances(int n) {
    defaults = defaults.withInstances(n);
    return this;
  }

  /** JVM options (before {@code -jar}) of every node, such as {@code -Xmx128m}. */
  GatewayNodes jvmOptions(String... options) {
    defaults = defaults.withJvmOptions(options);
    return this;
  }

  /** The class's defaults, to change for one node: {@code nodes.options().withoutAdmin()}. */
  NodeOptions options() {
    return defaults;
  }

  /**
   * How a node is launched: an admin API (with a token or none), {@code --instances} (null: one per
   * core, with {@code SLUICE_INSTANCES} taken out of the environment), more fields of the
   * {@code http:} line (such as {@code maxBodyBytes: 0}), JVM options, more arguments after
   * {@code run --config <file>} and more environment variables.
   */
  record NodeOptions(boolean admin, String token, Integer instances, String httpFields, List<String> jvmOptions,
                     List<String> args, Map<String, String> env) {
    NodeOptions withAdmin(String adminToken) {
      return new NodeOptions(true, adminToken, instances, httpFields, jvmOptions, args, env);
    }

    NodeOptions withoutAdmin() {
      return new NodeOptions(false, null, instances, httpFields, jvmOptions, args, env);
    }

    NodeOptions withInstances(int n) {
      return new NodeOptions(admin, token, n, httpFields, jvmOptions, args, env);
    }

    NodeOptions withHttp(String fields) {
      return new NodeOptions(admin, token, instances, fields, jvmOptions, args, env);
    }

    NodeOptions withJvmOptions(String... options) {
      List<String> all = new ArrayList<>(jvmOptions);
      all.addAll(List.of(options));
      return new NodeOptions(admin, token, instances, httpFields, List.copyOf(all), args, env);
    }

    NodeOptions withArgs(String... more) {
      List<String> all = new ArrayList<>(args);
      all.addAll(List.of(more));
      return new NodeOptions(admin, token, instances, httpFields, jvmOptions, List.copyOf(all), env);
    }

    NodeOptions withEnv(String name, String value) {
      Map<String, String> all = new LinkedHashMap<>(env);
      all.put(name, value);
      return new NodeOptions(admin, token, instances, httpFields, jvmOptions, args, Map.copyOf(all));
    }
  }

  /** One gateway JVM this fixture launched; {@code adminPort} is -1 without an admin API. */
  record Node(String name, Process process, int port, int adminPort, Path log, String token) implements NodeJvm {
    HttpResponse<String> get(String path) {
      return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20)).build());
    }

    int status(String path) {
      return get(path).statusCode();
    }

    /** A call to the node's admin API, with its token when it has one; {@code body} null for none. */
    HttpResponse<String> admin(String method, String path, String body) {
      HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
        .timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      if (token != null) {
        request.header("Authorization", "Bearer " + token);
      }
      if (body != null) {
        request.header("Content-Type", "application/json");
      }
      return send(request.build());
    }
  }

  private record Launch(String name, NodeOptions options, List<String> yaml) {
  }

  /** A request that cannot be sent fails the test, naming what was asked. */
  static HttpResponse<String> send(HttpRequest request) {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(request.method() + " " + request.uri() + " interrupted", e);
    }
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    dir = Files.createTempDirectory("sluice-" + context.getRequiredTestClass().getSimpleName() + "-");
    if (clusterPrefix != null) {
      newCluster();
    }
    redis = RedisServerProcess.start();
    vertx = Vertx.vertx();
    UpstreamMockVerticle mock = new UpstreamMockVerticle(new UpstreamMockOptions().setHost("127.0.0.1").setPort(0));
    vertx.deployVerticle(mock).await(CLOSE_S, TimeUnit.SECONDS);
    mockPort = mock.actualPort();
  }

  /** The nodes this fixture launched, then Vert.x (so the mock), then Redis, each even when the one before failed. */
  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    try {
      for (Node node : List.copyOf(running.keySet())) {
        kill(node);
      }
      if (dir != null) {
        System.out.println("node configs and logs: " + dir);
      }
    } finally {
      try {
        if (vertx != null) {
          vertx.close().await(CLOSE_S, TimeUnit.SECONDS);
        }
      } finally {
        if (redis != null) {
          redis.close();
        }
      }
    }
  }

  String redisUrl() {
    return redis.url();
  }

  /** The upstream-mock's base URL. */
  String mockUrl() {
    return "http://127.0.0.1:" + mockPort;
  }

  /** Where the nodes' configs and logs are written; a test may put files of its own there too. */
  Path dir() {
    return dir;
  }

  /** The {@code /__mock/stats} of the mock (or of another mock on {@code port}). */
  JsonObject mockStats(int port) {
    // Closed here, not left to be collected: Vert.x closes an unreachable client with its connections.
    io.vertx.core.http.HttpClient client = vertx.createHttpClient();
    try {
      return client.request(HttpMethod.GET, port, "127.0.0.1", "/__mock/stats")
        .compose(req -> req.send().compose(r -> r.body()))
        .map(JsonObject::new).await(20, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no /__mock/stats from :" + port + " within 20 s", e);
    } finally {
      client.close();
    }
  }

  /** Requests the mock has served. */
  int mockCalls() {
    return mockStats(mockPort).getInteger("total");
  }

  RedisWindows redisWindows() {
    return new RedisWindows(vertx, redis.url());
  }

  /**
   * Nodes launched from now on form a new cluster (a fresh name and ports), apart from the nodes
   * launched before: for a test that wants fresh nodes that have never met.
   */
  void newCluster() throws IOException {
    clusterPort = SluiceJarIT.freePort();
    clusterName = clusterPrefix + "-" + clusterPort;
  }

  /** As {@link #start(String, NodeOptions, String...)} with the class's options. */
  Node start(String name, String... yaml) throws Exception {
    return start(name, defaults, yaml);
  }

  /** Launches a node and waits until it listens (in a cluster, it joined it before). */
  Node start(String name, NodeOptions options, String... yaml) throws Exception {
    return awaitListening(launch(name, options, yaml));
  }

  /** As {@link #launch(String, NodeOptions, String...)} with the class's options. */
  Node launch(String name, String... yaml) throws IOException {
    return launch(name, defaults, yaml);
  }

  /**
   * Launches a node without waiting for it (several JVMs start faster side by side), on fresh
   * ports: its config is the {@code http:} line (and the {@code admin:} one) this writes, then
   * {@code yaml}, the rest of the file line by line.
   */
  Node launch(String name, NodeOptions options, String... yaml) throws IOException {
    return launch(new Launch(name, options, List.of(yaml)));
  }

  private Node launch(Launch launch) throws IOException {
    NodeOptions options = launch.options();
    String file = launch.name() + "-" + (++launches);
    int port = SluiceJarIT.freePort();
    int adminPort = options.admin() ? SluiceJarIT.freePort() : -1;
    List<String> lines = new ArrayList<>();
    lines.add("http: { host: 127.0.0.1, port: " + port + (options.httpFields().isEmpty() ? "" : ", " + options.httpFields()) + " }");
    if (options.admin()) {
      lines.add("admin: { host: 127.0.0.1, port: " + adminPort + (options.token() == null ? "" : ", token: " + options.token()) + " }");
    }
    lines.addAll(launch.yaml());
    Path config = dir.resolve(file + ".yaml");
    Files.writeString(config, String.join("\n", lines) + "\n");

    List<String> command = new ArrayList<>(List.of("run", "--config", config.toString()));
    if (clusterPrefix != null) {
      command.add("--cluster");
    }
    if (!options.admin()) {
      command.add("--no-admin");
    }
    if (options.instances() != null) {
      command.addAll(List.of("--instances", String.valueOf(options.instances())));
    }
    command.addAll(options.args());
    ProcessBuilder jar = SluiceJarIT.sluice(options.jvmOptions(), command.toArray(String[]::new));
    if (options.instances() == null) {
      jar.environment().remove("SLUICE_INSTANCES");
    }
    if (clusterPrefix != null) {
      jar.environment().put("SLUICE_CLUSTER_NAME", clusterName);
      jar.environment().put("SLUICE_CLUSTER_PORT", String.valueOf(clusterPort));
      jar.environment().put("SLUICE_CLUSTER_MEMBERS",
        "127.0.0.1:" + clusterPort + ",127.0.0.1:" + (clusterPort + 1) + ",127.0.0.1:" + (clusterPort + 2));
    }
    jar.environment().putAll(options.env());
    Path log = dir.resolve(file + ".log");
    Node node = new Node(launch.name(), NodeJvm.start(jar, log), port, adminPort, log, options.token());
    running.put(node, launch);
    return node;
  }

  /**
   * Waits until {@code node} listens and returns it; a node that lost a race for one of its ports
   * is launched again on fresh ones (bounded) and the new node returned. Any other exit, or no
   * start within {@link #START_TIMEOUT_MS}, fails the test with the node's log.
   */
  Node awaitListening(Node node) throws Exception {
    Node current = node;
    for (int attempt = 1; ; attempt++) {
      if (current.awaitListening(START_TIMEOUT_MS)) {
        return current;
      }
      String log = current.readLog();
      if (!log.contains("address already in use") || attempt == PORT_RACE_ATTEMPTS) {
        return fail("node " + current.name() + " exited with " + current.process().exitValue() + ": " + log);
      }
      Launch launch = running.get(current);
      forget(current);
      current = launch(launch);
    }
  }

  /** Stops every node launched so far (SIGTERM, then SIGKILL if one has not exited after 20 s). */
  void stopNodes() {
    for (Node node : List.copyOf(running.keySet())) {
      node.stop();
      forget(node);
    }
  }

  private void kill(Node node) throws InterruptedException {
    node.process().destroyForcibly();
    node.process().waitFor(20, TimeUnit.SECONDS);
    forget(node);
  }

  private void forget(Node node) {
    running.remove(node);
  }
}
