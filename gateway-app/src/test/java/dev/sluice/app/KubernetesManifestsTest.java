package dev.sluice.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.gateway.config.ConfigParser;
import dev.sluice.gateway.config.SluiceConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * deploy/k8s without a cluster: every manifest read into Kubernetes' own object model (fabric8's),
 * strictly (a field the model does not know fails, where the model would keep it aside), the
 * cross-references an apply would not check (selectors, probe ports against the gateway's own
 * config, env names Sluice reads), and the example overlay rendered by kustomize.
 */
class KubernetesManifestsTest {
  static final Path K8S = Path.of("..", "deploy", "k8s");
  static final Path BASE = K8S.resolve("base");
  static final Path OVERLAY = K8S.resolve("overlays").resolve("example");
  static final Map<String, Class<? extends HasMetadata>> KINDS = Map.of(
    "Namespace", Namespace.class, "ConfigMap", ConfigMap.class, "Service", Service.class,
    "Deployment", Deployment.class, "StatefulSet", StatefulSet.class,
    "PodDisruptionBudget", PodDisruptionBudget.class, "HorizontalPodAutoscaler", HorizontalPodAutoscaler.class,
    "NetworkPolicy", NetworkPolicy.class);
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyManifestIsAKubernetesObjectWithNoFieldItsModelDoesNotKnow() throws IOException {
    List<HasMetadata> all = new ArrayList<>();
    for (Path dir : List.of(BASE, OVERLAY)) {
      for (Path file : manifests(dir)) {
        all.addAll(read(Files.readString(file), file.toString()));
      }
    }
    assertEquals(Set.of("Namespace", "ConfigMap", "Service", "Deployment", "StatefulSet", "PodDisruptionBudget",
      "HorizontalPodAutoscaler", "NetworkPolicy"), kinds(all));
  }

  @Test
  void selectorsPortsProbesAndEnvironmentAgreeWithTheGatewayAndEachOther() throws IOException {
    List<HasMetadata> base = new ArrayList<>();
    for (Path file : manifests(BASE)) {
      base.addAll(read(Files.readString(file), file.toString()));
    }
    Deployment deployment = one(base, Deployment.class);
    Map<String, String> podLabels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    assertTrue(podLabels.entrySet().containsAll(deployment.getSpec().getSelector().getMatchLabels().entrySet()),
      "the Deployment selects its own pods");
    for (Service service : all(base, Service.class)) {
      assertTrue(podLabels.entrySet().containsAll(service.getSpec().getSelector().entrySet()),
        "Service " + service.getMetadata().getName() + " selects the gateway pods");
    }
    assertTrue(podLabels.entrySet().containsAll(one(base, PodDisruptionBudget.class).getSpec().getSelector()
      .getMatchLabels().entrySet()));
    NetworkPolicy policy = one(base, NetworkPolicy.class);
    assertTrue(podLabels.entrySet().containsAll(policy.getSpec().getPodSelector().getMatchLabels().entrySet()));
    assertEquals(deployment.getMetadata().getName(), one(base, HorizontalPodAutoscaler.class).getSpec()
      .getScaleTargetRef().getName());

    SluiceConfig config = gatewayConfig(one(base, ConfigMap.class));
    Container gateway = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    Map<String, Integer> ports = new java.util.HashMap<>();
    gateway.getPorts().forEach(p -> ports.put(p.getName(), p.getContainerPort()));
    assertEquals(config.http().port(), ports.get("http"), "the container's http port is the gateway's");
    assertEquals(config.admin().port(), ports.get("admin"), "the container's admin port is the admin API's");
    assertEquals(5701, ports.get("hazelcast"));
    assertEquals(ports.get("admin"), probePort(gateway.getReadinessProbe(), ports), "ready: the admin /__health");
    assertEquals(ports.get("http"), probePort(gateway.getLivenessProbe(), ports), "alive: the gateway /__health");
    for (Probe probe : List.of(gateway.getReadinessProbe(), gateway.getLivenessProbe(), gateway.getStartupProbe())) {
      assertEquals("/__health", probe.getHttpGet().getPath());
    }

    Service publicService = all(base, Service.class).stream()
      .filter(s -> !"None".equals(s.getSpec().getClusterIP())).findFirst().orElseThrow();
    assertFalse(publicService.getSpec().getPorts().stream()
        .anyMatch(p -> "admin".equals(p.getTargetPort().getStrVal()) || Integer.valueOf(config.admin().port())
          .equals(p.getTargetPort().getIntVal())),
      "the admin port is never on the public Service");
    for (var rule : policy.getSpec().getIngress()) {
      boolean admin = rule.getPorts().stream().map(NetworkPolicyPort::getPort).map(IntOrString::getStrVal)
        .anyMatch("admin"::equals);
      assertTrue(!admin || !rule.getFrom().isEmpty(), "the admin port is reachable only from selected pods");
    }
    Service headless = all(base, Service.class).stream()
      .filter(s -> "None".equals(s.getSpec().getClusterIP())).findFirst().orElseThrow();
    assertTrue(headless.getSpec().getPublishNotReadyAddresses(), "pods starting together find each other");

    Map<String, EnvVar> env = new java.util.HashMap<>();
    gateway.getEnv().forEach(e -> env.put(e.getName(), e));
    Set<String> read = envNamesSluiceReads();
    for (String name : env.keySet()) {
      assertTrue(read.contains(name) || Set.of("POD_IP", "POD_NAMESPACE", "JAVA_OPTS").contains(name),
        name + " is not read by Sluice (it reads " + read + ")");
    }
    assertEquals("kubernetes", env.get("SLUICE_CLUSTER_DISCOVERY").getValue());
    assertTrue(env.get("SLUICE_CLUSTER_SERVICE_DNS").getValue().startsWith(headless.getMetadata().getName() + "."),
      "discovery looks up the headless Service");
    long grace = Long.parseLong(env.get("SLUICE_SHUTDOWN_GRACE_SECONDS").getValue());
    long preStop = 5;
    assertTrue(deployment.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds() > grace + preStop,
      "Kubernetes waits for preStop and the drain before it kills the pod");
  }

  @Test
  void theExampleOverlayRendersWithKustomize() throws Exception {
    List<String> command = kustomize();
    Assumptions.assumeTrue(command != null,
      "neither kustomize nor kubectl is on the PATH: the overlay is not rendered here (.ci/run installs kubectl)");
    List<String> full = new ArrayList<>(command);
    full.add(OVERLAY.toString());
    Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "kustomize did not finish");
    assertEquals(0, process.exitValue(), out);
    List<HasMetadata> rendered = read(out, "kustomize output");
    for (HasMetadata object : rendered) {
      if (!(object instanceof Namespace)) {
        assertEquals("sluice", object.getMetadata().getNamespace(), object.getKind() + " " + object.getMetadata().getName());
      }
    }
    Set<String> configMaps = new HashSet<>();
    all(rendered, ConfigMap.class).forEach(c -> configMaps.add(c.getMetadata().getName()));
    Deployment gateway = all(rendered, Deployment.class).stream().filter(d -> d.getMetadata().getName().equals("sluice"))
      .findFirst().orElseThrow();
    for (EnvVar var : gateway.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      Optional.ofNullable(var.getValueFrom()).map(v -> v.getConfigMapKeyRef())
        .ifPresent(ref -> assertTrue(configMaps.contains(ref.getName()), "env " + var.getName() + " refers to "
          + ref.getName() + ", which the overlay renders"));
    }
    assertTrue(gateway.getSpec().getTemplate().getSpec().getContainers().get(0).getImage().contains(":"),
      "the overlay pins the image");
  }

  /** kustomize itself, else kubectl's built-in; null when neither is installed. */
  private static List<String> kustomize() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, "kustomize"))) {
        return List.of(Path.of(dir, "kustomize").toString(), "build");
      }
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, "kubectl"))) {
        return List.of(Path.of(dir, "kubectl").toString(), "kustomize");
      }
    }
    return null;
  }

  private static List<Path> manifests(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yaml") && !f.getFileName().toString().equals("kustomization.yaml"))
        .sorted().toList();
    }
  }

  /** Every document of {@code yaml} as its model class, checked for fields the model does not know. */
  static List<HasMetadata> read(String yaml, String where) {
    List<HasMetadata> objects = new ArrayList<>();
    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml)) {
      if (doc == null) {
        continue;
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> map = (Map<String, Object>) doc;
      String kind = String.valueOf(map.get("kind"));
      Class<? extends HasMetadata> type = KINDS.get(kind);
      if (type == null) {
        fail(where + ": a " + kind + " is not among the kinds deploy/k8s is checked for: " + KINDS.keySet());
      }
      HasMetadata object = JSON.convertValue(map, type);
      List<String> unknown = new ArrayList<>();
      unknownFields(object, kind + " " + object.getMetadata().getName(), unknown, new HashSet<>());
      assertTrue(unknown.isEmpty(), where + ": fields the Kubernetes model does not know: " + unknown);
      objects.add(object);
    }
    return objects;
  }

  /**
   * fabric8's classes keep what they do not know in {@code additionalProperties} (as a real API
   * server would drop it): any entry there is a field Kubernetes would not apply.
   */
  private static void unknownFields(Object value, String path, List<String> unknown, Set<Object> seen) {
    if (value == null || !seen.add(value)) {
      return;
    }
    if (value instanceof Collection<?> items) {
      int i = 0;
      for (Object item : items) {
        unknownFields(item, path + "[" + i++ + "]", unknown, seen);
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> unknownFields(v, path + "." + k, unknown, seen));
      return;
    }
    if (!value.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
        continue;
      }
      try {
        Object field = getter.invoke(value);
        if (getter.getName().equals("getAdditionalProperties")) {
          ((Map<?, ?>) field).keySet().forEach(k -> unknown.add(path + "." + k));
        } else {
          unknownFields(field, path + "." + getter.getName().substring(3), unknown, seen);
        }
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(path + "." + getter.getName() + ": " + e, e);
      }
    }
  }

  /** The ConfigMap's gateway.yaml, parsed by the gateway's own config parser (so it is a config Sluice accepts). */
  private static SluiceConfig gatewayConfig(ConfigMap map) {
    Object yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(map.getData().get("gateway.yaml"));
    @SuppressWarnings("unchecked")
    JsonObject json = new JsonObject((Map<String, Object>) yaml);
    return ConfigParser.parse(json);
  }

  private static Integer probePort(Probe probe, Map<String, Integer> ports) {
    IntOrString port = probe.getHttpGet().getPort();
    return port.getStrVal() != null ? ports.get(port.getStrVal()) : port.getIntVal();
  }

  /** The SLUICE_* names in the main sources of every module: what Sluice reads from its environment. */
  private static Set<String> envNamesSluiceReads() throws IOException {
    Set<String> names = new TreeSet<>();
    Pattern literal = Pattern.compile("\"(SLUICE_[A-Z_]+)\"");
    try (Stream<Path> files = Files.walk(Path.of(".."))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java") && f.toString().contains("/src/main/")).toList()) {
        Matcher m = literal.matcher(Files.readString(file));
        while (m.find()) {
          names.add(m.group(1));
        }
      }
    }
    return names;
  }

  private static Set<String> kinds(List<HasMetadata> objects) {
    Set<String> kinds = new TreeSet<>();
    objects.forEach(o -> kinds.add(o.getKind()));
    return kinds;
  }

  private static <T> List<T> all(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static <T> T one(List<HasMetadata> objects, Class<T> type) {
    List<T> found = all(objects, type);
    assertEquals(1, found.size(), "one " + type.getSimpleName());
    return found.get(0);
  }
}
