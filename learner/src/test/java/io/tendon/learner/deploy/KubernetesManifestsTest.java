package io.tendon.learner.deploy;

import static io.tendon.learner.deploy.Manifests.at;
import static io.tendon.learner.deploy.Manifests.list;
import static io.tendon.learner.deploy.Manifests.map;
import static io.tendon.learner.deploy.Manifests.maps;
import static io.tendon.learner.deploy.Manifests.quantity;
import static io.tendon.learner.deploy.Manifests.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.ingest.IngestStartupCheck;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders every overlay with kubectl (kustomize) and checks the invariants on the parsed YAML: the
 * kinds a fleet needs are there; every pod meets the "restricted" Pod Security Standard and writes
 * only to its volumes; images are pinned; every environment variable and Secret the pod gets is one
 * the learner (or its Kafka client) actually reads, and agrees with the Kafka cluster, its users and
 * the README; a GPU request goes with CUDA training; probes and grace fit the learner's start-up and
 * shutdown; Kafka authenticates and authorises every client, with each principal's ACLs just what it
 * needs; retention is finite and fits the brokers' disks. Then validates the renderings against the
 * Kubernetes, Strimzi and Prometheus Operator schemas where node and npm are available.
 */
class KubernetesManifestsTest {

    static final List<String> OVERLAYS = List.of("overlays/dev", "overlays/production");
    /** The learner's container: the only one in the StatefulSet. */
    static final String LEARNER = "tendon-learner";
    /** Set by the image (run-java.sh reads it), not by the application. */
    static final Set<String> IMAGE_ENV = Set.of("JAVA_OPTS_APPEND");
    /** Quarkus's own keys the ConfigMap may set. */
    static final Set<String> QUARKUS_ENV = Set.of("QUARKUS_HTTP_PORT", "QUARKUS_LOG_CONSOLE_JSON_ENABLED");
    /** What the trainer waits for its step (Trainer.stop) and the ingest thread for its batch (IngestService.onStop), s. */
    static final int TRAINER_JOIN_SECONDS = 60;
    static final int INGEST_JOIN_SECONDS = 30;

    private static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (InputStream in = KubernetesManifestsTest.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        return p;
    }

    private static Map<String, Object> statefulSet(Manifests m) {
        return m.get("StatefulSet", LEARNER);
    }

    private static Map<String, Object> podSpec(Manifests m) {
        return map(statefulSet(m), "spec", "template", "spec");
    }

    private static Map<String, Object> container(Manifests m) {
        List<Map<String, Object>> containers = maps(podSpec(m), "containers");
        assertEquals(1, containers.size(), "one container");
        return containers.get(0);
    }

    /** The container's environment: the ConfigMaps it imports, then its own env (literal values; references as "<ref>"). */
    private static Map<String, String> env(Manifests m) {
        Map<String, String> env = new HashMap<>();
        for (Map<String, Object> from : maps(container(m), "envFrom")) {
            String cm = str(from, "configMapRef", "name");
            assertNotNull(cm, "envFrom only from ConfigMaps: " + from);
            map(m.get("ConfigMap", cm), "data").forEach((k, v) -> env.put(k, String.valueOf(v)));
        }
        for (Map<String, Object> e : maps(container(m), "env")) {
            env.put(str(e, "name"), e.containsKey("value") ? str(e, "value") : "<ref>");
        }
        return env;
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void everyKindAFleetNeedsIsThereInOneRestrictedNamespace(String overlay) throws Exception {
        Manifests m = Manifests.render(overlay);
        for (String kind : List.of("Namespace", "ServiceAccount", "ConfigMap", "Service", "StatefulSet", "NetworkPolicy",
                "PodDisruptionBudget", "PriorityClass", "Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "PodMonitor",
                "PrometheusRule")) {
            assertFalse(m.ofKind(kind).isEmpty(), kind + " in " + overlay);
        }
        List<Map<String, Object>> namespaces = m.ofKind("Namespace");
        assertEquals(1, namespaces.size());
        String ns = str(namespaces.get(0), "metadata", "name");
        assertEquals("restricted", str(namespaces.get(0), "metadata", "labels", "pod-security.kubernetes.io/enforce"));
        Set<String> clusterScoped = Set.of("Namespace", "PriorityClass");
        for (Map<String, Object> o : m.objects) {
            if (!clusterScoped.contains(o.get("kind"))) {
                assertEquals(ns, str(o, "metadata", "namespace"), o.get("kind") + " " + str(o, "metadata", "name"));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void thePodMeetsTheRestrictedPodSecurityStandard(String overlay) throws Exception {
        Manifests m = Manifests.render(overlay);
        Map<String, Object> pod = podSpec(m);
        Map<String, Object> podSecurity = map(pod, "securityContext");
        assertEquals(true, podSecurity.get("runAsNonRoot"));
        assertTrue(((Number) podSecurity.get("runAsUser")).intValue() > 0, "a non-root uid");
        assertEquals("RuntimeDefault", str(podSecurity, "seccompProfile", "type"));
        for (String forbidden : List.of("hostNetwork", "hostPID", "hostIPC")) {
            assertFalse(Boolean.TRUE.equals(pod.get(forbidden)), forbidden);
        }
        List<Map<String, Object>> containers = new ArrayList<>(maps(pod, "containers"));
        containers.addAll(maps(pod, "initContainers"));
        for (Map<String, Object> c : containers) {
            Map<String, Object> sc = map(c, "securityContext");
            String name = str(c, "name");
            assertEquals(false, sc.get("allowPrivilegeEscalation"), name);
            assertEquals(true, sc.get("readOnlyRootFilesystem"), name);
            assertFalse(Boolean.TRUE.equals(sc.get("privileged")), name);
            assertEquals(List.of("ALL"), list(sc, "capabilities", "drop"), name);
            assertTrue(list(sc, "capabilities", "add").isEmpty(), name);
            assertNotEquals("Unconfined", str(sc, "seccompProfile", "type"));
        }
        for (Map<String, Object> v : maps(pod, "volumes")) {
            assertFalse(v.containsKey("hostPath"), "no hostPath volumes");
        }
        // No Kubernetes API token: the ServiceAccount and the pod both say so.
        String account = str(pod, "serviceAccountName");
        assertEquals(false, m.get("ServiceAccount", account).get("automountServiceAccountToken"));
        assertEquals(false, pod.get("automountServiceAccountToken"));
    }

    private static void assertNotEquals(String unexpected, String actual) {
        assertFalse(unexpected.equals(actual), "not " + unexpected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void theLearnerWritesOnlyToItsVolumeAndTmp(String overlay) throws Exception {
        Manifests m = Manifests.render(overlay);
        Map<String, Object> pod = podSpec(m);
        Map<String, Map<String, Object>> volumes = new HashMap<>();
        maps(pod, "volumes").forEach(v -> volumes.put(str(v, "name"), v));
        Set<String> claims = new HashSet<>();
        maps(statefulSet(m), "spec", "volumeClaimTemplates").forEach(c -> claims.add(str(c, "metadata", "name")));
        List<String> writable = new ArrayList<>();
        for (Map<String, Object> mount : maps(container(m), "volumeMounts")) {
            String name = str(mount, "name");
            String path = str(mount, "mountPath");
            Map<String, Object> volume = volumes.get(name);
            if (volume != null && (volume.containsKey("secret") || volume.containsKey("configMap"))) {
                assertEquals(true, mount.get("readOnly"), path + ": secrets are mounted read-only");
            }
            if (!Boolean.TRUE.equals(mount.get("readOnly"))) {
                writable.add(path);
                assertTrue(claims.contains(name) || volume != null && volume.containsKey("emptyDir"),
                        path + " is writable: a claim or an emptyDir");
            }
        }
        assertEquals(new TreeSet<>(List.of("/tmp", "/var/lib/tendon")), new TreeSet<>(writable));
        Map<String, String> env = env(m);
        for (String key : List.of("TENDON_CHECKPOINT_DIR", "TENDON_REPLAY_CHECKPOINT_DIRECTORY", "TENDON_PUBLISH_VERSION_FILE",
                "TENDON_PUBLISH_PUBLIC_KEY_FILE")) {
            assertTrue(env.get(key).startsWith("/var/lib/tendon/"), key + " on the volume");
        }
        String javaOpts = env.get("JAVA_OPTS_APPEND");
        assertTrue(javaOpts.contains("-Dorg.bytedeco.javacpp.cachedir=/var/lib/tendon/"),
                "JavaCPP unpacks its natives to the volume: " + javaOpts);
        assertTrue(javaOpts.contains("-Djava.io.tmpdir=/tmp"), javaOpts);
        assertTrue(javaOpts.contains("-Djava.util.logging.manager=org.jboss.logmanager.LogManager"),
                "the pod's JAVA_OPTS_APPEND replaces the image's, which sets the log manager: " + javaOpts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production", "kafka", "robots", "monitoring"})
    void imagesArePinnedToAVersion(String dir) throws Exception {
        Manifests m = Manifests.render(dir);
        Matcher image = Pattern.compile("(?m)^\\s*image: (\\S+)$").matcher(m.yaml);
        while (image.find()) {
            String ref = image.group(1);
            String tag = ref.contains("@sha256:") ? "digest" : ref.substring(ref.lastIndexOf('/') + 1).contains(":")
                    ? ref.substring(ref.lastIndexOf(':') + 1) : "";
            assertFalse(tag.isEmpty(), ref + " has no tag");
            assertFalse(tag.equals("latest") || tag.contains("SNAPSHOT"), ref + " is not pinned");
        }
        if (dir.equals("overlays/production")) {
            assertEquals("tendon/learner-gpu:0.1.0", str(container(m), "image"));
        }
    }

    /**
     * Each overlay's learner image is built by a Dockerfile in learner/src/main/docker whose build
     * command (in its comment) makes exactly that tag; base images are pinned; the image's user is the
     * pod's; the GPU image starts from NVIDIA's official CUDA runtime image; both pass the pod's
     * JAVA_OPTS_APPEND to the JVM.
     */
    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void theLearnerImageHasADockerfileThatFitsThePod(String overlay) throws Exception {
        Manifests m = Manifests.render(overlay);
        String image = str(container(m), "image");
        String file = image.startsWith("tendon/learner-gpu:") ? "Dockerfile.gpu" : "Dockerfile.jvm";
        String dockerfile = Files.readString(Path.of("src/main/docker", file));
        assertTrue(dockerfile.contains("docker build -f learner/src/main/docker/" + file + " -t " + image + " learner"),
                file + " does not say how to build " + image);
        List<String> from = new ArrayList<>();
        Matcher fromLine = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile);
        while (fromLine.find()) {
            from.add(fromLine.group(1));
        }
        assertFalse(from.isEmpty(), file);
        for (String base : from) {
            String tag = base.substring(base.lastIndexOf(':') + 1);
            assertTrue(base.contains(":") && tag.matches(".*\\d.*") && !tag.contains("latest"), base + " is not pinned");
        }
        if (file.equals("Dockerfile.gpu")) {
            assertTrue(from.get(from.size() - 1).matches("nvidia/cuda:[\\d.]+-runtime-\\S+"), from.toString());
            assertTrue(dockerfile.contains("mvn -B -Pgpu "), "built with the CUDA natives");
        }
        Matcher user = Pattern.compile("(?m)^USER (\\d+)$").matcher(dockerfile);
        assertTrue(user.find(), file + ": USER");
        assertEquals(((Number) map(podSpec(m), "securityContext").get("runAsUser")).intValue(), Integer.parseInt(user.group(1)),
                "the image's user is the pod's runAsUser");
        for (Map<String, Object> port : maps(container(m), "ports")) {
            assertTrue(dockerfile.contains("EXPOSE " + port.get("containerPort")), file + ": EXPOSE " + port);
        }
        // run-java.sh (the UBI OpenJDK image) reads JAVA_OPTS_APPEND; the CUDA image's entry point expands it.
        assertTrue(dockerfile.contains("run-java.sh") || dockerfile.matches("(?s).*ENTRYPOINT .*exec java \\$JAVA_OPTS_APPEND -jar.*"),
                file + " passes JAVA_OPTS_APPEND to the JVM");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void everyVariableIsOneTheLearnerOrItsKafkaClientReads(String overlay) throws Exception {
        Manifests m = Manifests.render(overlay);
        Set<String> tendon = ConfigNames.envs(LearnerConfig.class);
        Set<String> kafka = new HashSet<>();
        for (Set<String> names : List.of(ProducerConfig.configNames(), ConsumerConfig.configNames(),
                AdminClientConfig.configNames())) {
            names.forEach(n -> kafka.add("KAFKA_" + ConfigNames.env(n)));
        }
        for (String name : env(m).keySet()) {
            assertTrue(tendon.contains(name) || kafka.contains(name) || QUARKUS_ENV.contains(name) || IMAGE_ENV.contains(name),
                    name + " is read by nobody (a typo stays silent)");
        }
        Properties app = applicationProperties();
        Map<String, String> env = env(m);
        // JSON log lines in the cluster, for the log collector: the switch the learner's configuration declares.
        assertEquals("true", env.get("QUARKUS_LOG_CONSOLE_JSON_ENABLED"));
        assertEquals("false", app.getProperty("quarkus.log.console.json.enabled"), "off outside the cluster");
        assertTrue(app.getProperty("quarkus.log.console.format").startsWith("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} "),
                "text lines start with the date");
        String cluster = str(m.ofKind("Kafka").get(0), "metadata", "name");
        for (String key : List.of("transitions", "dead-letter", "policy-updates", "episode-events")) {
            String topic = app.getProperty("tendon.topics." + key);
            assertEquals(topic, env.get("TENDON_TOPICS_" + key.toUpperCase().replace('-', '_')));
            assertEquals(cluster, str(m.get("KafkaTopic", topic), "metadata", "labels", "strimzi.io/cluster"),
                    "KafkaTopic " + topic + " of the cluster");
        }
        assertEquals("false", env.get("TENDON_TOPICS_CREATE"), "Strimzi owns the topics in a cluster");
        assertEquals("false", env.get("TENDON_PUBLISH_DEV_KEY_ALLOWED"), "no generated signing keys in a cluster");
        String port = app.getProperty("quarkus.http.port");
        assertEquals(port, env.get("QUARKUS_HTTP_PORT"));
        Map<String, Object> http = maps(container(m), "ports").get(0);
        assertEquals(port, str(http, "containerPort"));
        assertEquals("http", str(http, "name"));
        assertEquals("http", str(maps(m.get("Service", LEARNER), "spec", "ports").get(0), "targetPort"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void theSigningKeySecretIsTheOneTheReadmeCreatesWhereTheLearnerLooks(String overlay) throws Exception {
        Manifests m = Manifests.render(overlay);
        Map<String, String> env = env(m);
        String dir = env.get("TENDON_PUBLISH_KEY_SECRET_DIR");
        Map<String, Object> mount = maps(container(m), "volumeMounts").stream()
                .filter(v -> dir.equals(str(v, "mountPath"))).findFirst().orElseThrow(() -> new AssertionError(dir + " mounted"));
        Map<String, Object> volume = maps(podSpec(m), "volumes").stream()
                .filter(v -> str(mount, "name").equals(str(v, "name"))).findFirst().orElseThrow();
        String secret = str(volume, "secret", "secretName");
        assertNotNull(secret, "the key directory is a Secret");
        // Every "kubectl ... create secret generic NAME --from-file=KEY=..." in the README creates this Secret and key.
        Matcher create = Pattern.compile("create secret generic (\\S+) --from-file=([^=\\s]+)=")
                .matcher(Files.readString(Path.of("..", "README.md")));
        int commands = 0;
        while (create.find()) {
            if (create.group(1).contains("signing")) {
                commands++;
                assertEquals(secret, create.group(1), "the README's Secret name");
                assertEquals(env.get("TENDON_PUBLISH_KEY_SECRET_KEY"), create.group(2), "the README's key in the Secret");
            }
        }
        assertTrue(commands >= 1, "the README shows how to create the signing Secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void theLearnerReachesKafkaAsItsKafkaUserOverTheTlsListener(String overlay) throws Exception {
        Manifests m = Manifests.render(overlay);
        Map<String, String> env = env(m);
        Map<String, Object> kafka = m.ofKind("Kafka").get(0);
        String cluster = str(kafka, "metadata", "name");
        String[] bootstrap = env.get("KAFKA_BOOTSTRAP_SERVERS").split(":");
        assertEquals(cluster + "-kafka-bootstrap", bootstrap[0], "Strimzi's bootstrap service");
        Map<String, Object> listener = maps(kafka, "spec", "kafka", "listeners").stream()
                .filter(l -> str(l, "port").equals(bootstrap[1])).findFirst()
                .orElseThrow(() -> new AssertionError("no listener on port " + bootstrap[1]));
        assertEquals("internal", str(listener, "type"));
        assertEquals(true, listener.get("tls"));
        assertEquals("scram-sha-512", str(listener, "authentication", "type"));
        assertEquals("SASL_SSL", env.get("KAFKA_SECURITY_PROTOCOL"));
        assertEquals("SCRAM-SHA-512", env.get("KAFKA_SASL_MECHANISM"));
        // The password: the Secret Strimzi's user operator writes for the KafkaUser of the same name.
        Map<String, Object> jaas = maps(container(m), "env").stream()
                .filter(e -> "KAFKA_SASL_JAAS_CONFIG".equals(str(e, "name"))).findFirst().orElseThrow();
        String user = str(jaas, "valueFrom", "secretKeyRef", "name");
        assertEquals("sasl.jaas.config", str(jaas, "valueFrom", "secretKeyRef", "key"));
        assertEquals("scram-sha-512", str(m.get("KafkaUser", user), "spec", "authentication", "type"));
        // The broker certificate: the cluster CA Strimzi writes, mounted where the client looks.
        String truststore = env.get("KAFKA_SSL_TRUSTSTORE_LOCATION");
        assertEquals("PEM", env.get("KAFKA_SSL_TRUSTSTORE_TYPE"));
        Map<String, Object> caMount = maps(container(m), "volumeMounts").stream()
                .filter(v -> truststore.startsWith(str(v, "mountPath") + "/")).findFirst().orElseThrow();
        Map<String, Object> caVolume = maps(podSpec(m), "volumes").stream()
                .filter(v -> str(caMount, "name").equals(str(v, "name"))).findFirst().orElseThrow();
        assertEquals(cluster + "-cluster-ca-cert", str(caVolume, "secret", "secretName"));
        assertEquals("ca.crt", str(caVolume, "secret", "items", 0, "key"));
        assertEquals(truststore, str(caMount, "mountPath") + "/" + str(caVolume, "secret", "items", 0, "path"));
        // Only the learner's pods may use that listener (Strimzi turns the peers into a NetworkPolicy).
        assertEquals(LEARNER, str(listener, "networkPolicyPeers", 0, "podSelector", "matchLabels", "app.kubernetes.io/name"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void aGpuRequestGoesWithCudaTrainingAndOnlyThen(String overlay) throws Exception {
        Manifests m = Manifests.render(overlay);
        Map<String, Object> resources = map(container(m), "resources");
        Object gpuRequest = at(resources, "requests", "nvidia.com/gpu");
        Object gpuLimit = at(resources, "limits", "nvidia.com/gpu");
        String device = env(m).get("TENDON_TRAIN_DEVICE");
        assertTrue(device.matches("cpu|cuda(:[0-9]{1,2})?"), "tendon.train.device's own pattern: " + device);
        assertEquals(gpuRequest != null, device.startsWith("cuda"), "GPU requested <=> TENDON_TRAIN_DEVICE=cuda: " + device);
        assertEquals(String.valueOf(gpuRequest), String.valueOf(gpuLimit), "GPU request = limit");
        assertEquals(gpuRequest != null, str(container(m), "image").startsWith("tendon/learner-gpu:"),
                "the CUDA image with the GPU");
        assertEquals(overlay.endsWith("production"), gpuRequest != null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void resourcesProbesAndGraceFitTheLearner(String overlay) throws Exception {
        Manifests m = Manifests.render(overlay);
        Map<String, Object> c = container(m);
        for (String r : List.of("cpu", "memory")) {
            assertNotNull(at(c, "resources", "requests", r), "requests." + r);
        }
        assertTrue(quantity(at(c, "resources", "limits", "memory")) >= quantity(at(c, "resources", "requests", "memory")));
        // Start-up restores checkpoints before the learner reports started: a dedicated check, and a long budget.
        Map<String, Object> startup = map(c, "startupProbe");
        assertEquals("/q/health/started", str(startup, "httpGet", "path"));
        assertTrue(IngestStartupCheck.class.isAnnotationPresent(org.eclipse.microprofile.health.Startup.class),
                "/q/health/started waits for the restore (otherwise it is UP at once)");
        assertTrue(seconds(startup) >= 600, "at least 10 minutes to restore: " + seconds(startup));
        assertEquals("/q/health/live", str(c, "livenessProbe", "httpGet", "path"));
        assertTrue(seconds(map(c, "livenessProbe")) >= 60, "liveness tolerates a minute of failures");
        assertEquals("/q/health/ready", str(c, "readinessProbe", "httpGet", "path"));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertEquals("http", str(c, probe, "httpGet", "port"));
        }
        // SIGTERM: the trainer's join, a final training checkpoint, the ingest join, a final replay checkpoint.
        int grace = ((Number) podSpec(m).get("terminationGracePeriodSeconds")).intValue();
        assertTrue(grace >= TRAINER_JOIN_SECONDS + INGEST_JOIN_SECONDS + 2 * 60, "grace " + grace);
        // PodDisruptionBudget and priority for this pod.
        Map<String, String> labels = new HashMap<>();
        map(statefulSet(m), "spec", "template", "metadata", "labels").forEach((k, v) -> labels.put(k, String.valueOf(v)));
        Map<String, Object> pdb = m.get("PodDisruptionBudget", LEARNER);
        map(pdb, "spec", "selector", "matchLabels").forEach((k, v) -> assertEquals(labels.get(k), String.valueOf(v)));
        assertNotNull(m.get("PriorityClass", str(podSpec(m), "priorityClassName")));
    }

    private static int seconds(Map<String, Object> probe) {
        int period = probe.containsKey("periodSeconds") ? ((Number) probe.get("periodSeconds")).intValue() : 10;
        int failures = probe.containsKey("failureThreshold") ? ((Number) probe.get("failureThreshold")).intValue() : 3;
        return period * failures;
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void onlyPrometheusAndLabelledCallersReachTheLearnerWhichReachesOnlyKafkaAndDns(String overlay) throws Exception {
        Manifests m = Manifests.render(overlay);
        Map<String, Object> policy = m.get("NetworkPolicy", LEARNER);
        assertEquals(LEARNER, str(policy, "spec", "podSelector", "matchLabels", "app.kubernetes.io/name"));
        assertEquals(List.of("Ingress", "Egress"), list(policy, "spec", "policyTypes"));
        List<Map<String, Object>> ingress = maps(policy, "spec", "ingress");
        assertEquals(1, ingress.size());
        assertEquals("http", str(ingress.get(0), "ports", 0, "port"));
        List<Map<String, Object>> from = maps(ingress.get(0), "from");
        assertEquals(2, from.size());
        assertEquals("prometheus", str(from.get(0), "podSelector", "matchLabels", "app.kubernetes.io/name"));
        assertNotNull(at(from.get(0), "namespaceSelector", "matchLabels"), "Prometheus of the monitoring namespace only");
        assertEquals("true", str(from.get(1), "podSelector", "matchLabels", "tendon.io/learner-client"));
        assertFalse(from.get(1).containsKey("namespaceSelector"), "callers of this namespace only");
        List<Map<String, Object>> egress = maps(policy, "spec", "egress");
        assertEquals(2, egress.size());
        Map<String, Object> kafka = m.ofKind("Kafka").get(0);
        assertEquals(str(kafka, "metadata", "name"), str(egress.get(0), "to", 0, "podSelector", "matchLabels", "strimzi.io/cluster"));
        assertEquals(env(m).get("KAFKA_BOOTSTRAP_SERVERS").split(":")[1], str(egress.get(0), "ports", 0, "port"));
        assertEquals("kube-dns", str(egress.get(1), "to", 0, "podSelector", "matchLabels", "k8s-app"));
        assertEquals("53", str(egress.get(1), "ports", 0, "port"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void prometheusScrapesTheLearnerAndGrafanaGetsTheDashboard(String overlay) throws Exception {
        Manifests m = Manifests.render(overlay);
        Map<String, Object> monitor = m.get("PodMonitor", LEARNER);
        assertEquals(LEARNER, str(monitor, "spec", "selector", "matchLabels", "app.kubernetes.io/name"));
        Map<String, Object> endpoint = maps(monitor, "spec", "podMetricsEndpoints").get(0);
        assertEquals(str(maps(container(m), "ports").get(0), "name"), str(endpoint, "port"));
        assertEquals(applicationProperties().getProperty("quarkus.micrometer.export.prometheus.path"), str(endpoint, "path"));
        Map<String, Object> dashboard = m.get("ConfigMap", "tendon-grafana-dashboard");
        assertEquals("1", str(dashboard, "metadata", "labels", "grafana_dashboard"));
        String json = str(dashboard, "data", "tendon-fleet.json");
        assertEquals(Files.readString(Manifests.K8S.resolve("monitoring/grafana-dashboard.json")), json);
        assertTrue(JsonParser.parseString(json).getAsJsonObject().getAsJsonArray("panels").size() > 10);
        assertFalse(maps(m.get("PrometheusRule", "tendon-alerts"), "spec", "groups").isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"kafka", "overlays/dev", "overlays/production"})
    void kafkaAuthenticatesEveryClientAuthorisesByAclAndHasAnExternalTlsListener(String dir) throws Exception {
        Manifests m = Manifests.render(dir);
        Map<String, Object> kafka = m.ofKind("Kafka").get(0);
        assertEquals("enabled", str(kafka, "metadata", "annotations", "strimzi.io/kraft"));
        assertEquals("simple", str(kafka, "spec", "kafka", "authorization", "type"));
        assertTrue(list(kafka, "spec", "kafka", "authorization", "superUsers").isEmpty(), "no superusers");
        assertEquals(false, at(kafka, "spec", "kafka", "config", "auto.create.topics.enable"));
        assertNotNull(at(kafka, "spec", "entityOperator", "userOperator"), "the user operator makes KafkaUsers");
        boolean external = false;
        for (Map<String, Object> l : maps(kafka, "spec", "kafka", "listeners")) {
            assertEquals(true, l.get("tls"), "listener " + str(l, "name") + " encrypts");
            assertTrue(Set.of("scram-sha-512", "tls").contains(str(l, "authentication", "type")),
                    "listener " + str(l, "name") + " authenticates");
            external |= Set.of("loadbalancer", "nodeport", "route", "ingress").contains(str(l, "type"));
        }
        assertTrue(external, "robots outside the cluster have a listener");
    }

    @Test
    void aclsGiveEachPrincipalItsPartAndOnlyTheLearnerWritesUpdates() throws Exception {
        Manifests learner = Manifests.render("overlays/production");
        Manifests robots = Manifests.render("robots");
        Properties app = applicationProperties();
        String transitions = app.getProperty("tendon.topics.transitions");
        String events = app.getProperty("tendon.topics.episode-events");
        String updates = app.getProperty("tendon.topics.policy-updates");
        String deadLetters = app.getProperty("tendon.topics.dead-letter");
        Map<String, String> env = env(learner);

        Map<String, Set<String>> l = acls(learner.get("KafkaUser", LEARNER));
        assertEquals(Set.of("Read", "Describe"), l.get("topic:" + transitions));
        assertEquals(Set.of("Read", "Describe"), l.get("topic:" + events));
        assertEquals(Set.of("Read"), l.get("group:" + env.get("TENDON_INGEST_GROUP_ID")));
        assertEquals(Set.of("Write", "Describe"), l.get("topic:" + deadLetters));
        assertEquals(Set.of("Write", "Read", "Describe"), l.get("topic:" + updates));
        // The default transactional id is tendon-learner-{policy id}.
        String txPrefix = l.keySet().stream().filter(k -> k.startsWith("transactionalId-prefix:")).findFirst().orElseThrow()
                .substring("transactionalId-prefix:".length());
        assertTrue(("tendon-learner-" + env.get("TENDON_PUBLISH_POLICY_ID")).startsWith(txPrefix));

        List<Map<String, Object>> robotUsers = robots.ofKind("KafkaUser");
        assertFalse(robotUsers.isEmpty());
        for (Map<String, Object> user : robotUsers) {
            String robotId = str(user, "metadata", "labels", "tendon.io/robot-id");
            assertEquals("robot-" + robotId, str(user, "metadata", "name"));
            assertEquals("scram-sha-512", str(user, "spec", "authentication", "type"));
            Map<String, Set<String>> r = acls(user);
            // The edge's update consumer group defaults to tendon-edge-{robot id} (EdgeConfig, UpdateService).
            assertEquals(Map.of("topic:" + transitions, Set.of("Write", "Describe"), "topic:" + events, Set.of("Write", "Describe"),
                    "topic:" + updates, Set.of("Read", "Describe"), "group:tendon-edge-" + robotId, Set.of("Read")), r);
        }
        // Nobody but the learner may write updates, directly or through a wildcard or prefix.
        List<Map<String, Object>> all = new ArrayList<>(learner.ofKind("KafkaUser"));
        all.addAll(robotUsers);
        for (Map<String, Object> user : all) {
            for (Map<String, Object> acl : maps(user, "spec", "authorization", "acls")) {
                String type = str(acl, "resource", "type");
                String name = str(acl, "resource", "name");
                boolean prefix = "prefix".equals(str(acl, "resource", "patternType"));
                boolean coversUpdates = "topic".equals(type) && (updates.equals(name) || "*".equals(name)
                        || prefix && updates.startsWith(name));
                List<Object> ops = list(acl, "operations");
                if (coversUpdates && (ops.contains("Write") || ops.contains("All"))) {
                    assertEquals(LEARNER, str(user, "metadata", "name"), "only the learner writes " + updates);
                }
                assertFalse("cluster".equals(type) && (ops.contains("All") || ops.contains("Alter")), "no cluster admin");
            }
        }
    }

    /** "type:name" (or "type-prefix:name") to its operations. */
    private static Map<String, Set<String>> acls(Map<String, Object> user) {
        assertEquals("simple", str(user, "spec", "authorization", "type"));
        Map<String, Set<String>> out = new HashMap<>();
        for (Map<String, Object> acl : maps(user, "spec", "authorization", "acls")) {
            String key = str(acl, "resource", "type") + ("prefix".equals(str(acl, "resource", "patternType")) ? "-prefix" : "")
                    + ":" + str(acl, "resource", "name");
            Set<String> ops = new HashSet<>();
            list(acl, "operations").forEach(o -> ops.add(String.valueOf(o)));
            assertTrue(out.put(key, ops) == null, "one ACL per resource: " + key);
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void retentionIsFiniteFitsTheBrokersAndKeepsUpdatesLongest(String overlay) throws Exception {
        Manifests m = Manifests.render(overlay);
        Properties app = applicationProperties();
        Map<String, Object> pool = m.ofKind("KafkaNodePool").get(0);
        int brokers = ((Number) at(pool, "spec", "replicas")).intValue();
        double volume = quantity(at(pool, "spec", "storage", "volumes", 0, "size"));
        double perBroker = 0;
        Map<String, Double> retentionMs = new HashMap<>();
        for (Map<String, Object> topic : m.ofKind("KafkaTopic")) {
            String name = str(topic, "metadata", "name");
            double ms = ((Number) at(topic, "spec", "config", "retention.ms")).doubleValue();
            double bytes = ((Number) at(topic, "spec", "config", "retention.bytes")).doubleValue();
            assertTrue(ms > 0 && bytes > 0, name + ": finite retention in time and size");
            int partitions = ((Number) at(topic, "spec", "partitions")).intValue();
            int replicas = ((Number) at(topic, "spec", "replicas")).intValue();
            assertTrue(replicas <= brokers, name + " replicas <= brokers");
            assertTrue(((Number) at(topic, "spec", "config", "min.insync.replicas")).intValue() <= replicas);
            perBroker += partitions * (double) replicas * bytes / brokers;
            retentionMs.put(name, ms);
        }
        assertTrue(perBroker <= volume, overlay + ": " + perBroker / (1 << 30) + " GiB of retention on a "
                + volume / (1 << 30) + " GiB volume per broker");
        String updates = app.getProperty("tendon.topics.policy-updates");
        String transitions = app.getProperty("tendon.topics.transitions");
        assertTrue(retentionMs.get(updates) >= TimeUnit.DAYS.toMillis(30), "updates outlive a month offline");
        assertTrue(retentionMs.get(updates) > retentionMs.get(transitions));
        Map<String, Object> t = m.get("KafkaTopic", transitions);
        assertTrue(((Number) at(t, "spec", "partitions")).intValue() >= 4,
                "enough transition partitions to spread a fleet over brokers");
        assertEquals(1, ((Number) at(m.get("KafkaTopic", updates), "spec", "partitions")).intValue(),
                "one partition: an update's parts stay in order");
        assertEquals(String.valueOf(1 << 20), str(m.get("KafkaTopic", updates), "spec", "config", "max.message.bytes"));
    }

    /**
     * The renderings (and the robot users, and the example scrape config) against the real schemas:
     * the validators kubernetes-models generates from the Kubernetes OpenAPI and the Strimzi and
     * Prometheus Operator CRDs, installed with npm from the lock file in k8s/test/schema-validation.
     * Aborts where node or npm (or the npm registry) is not available.
     */
    @Test
    void manifestsValidateAgainstTheKubernetesStrimziAndPrometheusOperatorSchemas() throws Exception {
        Path work = Path.of("target", "k8s-schema-validation");
        Files.createDirectories(work);
        Path source = Manifests.K8S.resolve("test/schema-validation");
        for (String file : List.of("package.json", "package-lock.json", "validate.mjs")) {
            Files.copy(source.resolve(file), work.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(work.resolve("node_modules"))) {
            Run install = run(work, 300, "npm", "ci", "--no-audit", "--no-fund", "--prefer-offline");
            Assumptions.assumeTrue(install.exit == 0, "npm ci failed (no registry here?): " + install.output);
        }
        List<String> command = new ArrayList<>(List.of("node", "validate.mjs"));
        for (String dir : List.of("overlays/dev", "overlays/production", "robots")) {
            Path file = work.resolve(dir.replace('/', '-') + ".yaml");
            Files.writeString(file, Manifests.render(dir).yaml);
            command.add(file.getFileName().toString());
        }
        command.add(Manifests.K8S.resolve("monitoring/robot-scrape-config.example.yaml").toAbsolutePath().toString());
        Run validate = run(work, 120, command.toArray(String[]::new));
        assertEquals(0, validate.exit, validate.output);
        assertTrue(validate.output.contains(" 0 invalid"), validate.output);
    }

    private record Run(int exit, String output) {
    }

    private static Run run(Path dir, int seconds, String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort(command[0] + " is not installed here: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), String.join(" ", command) + " did not finish");
        return new Run(p.exitValue(), out);
    }
}
