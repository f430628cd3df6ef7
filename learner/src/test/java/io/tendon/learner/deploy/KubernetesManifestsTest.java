package io.tendon.learner.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Renders the kustomize overlays with kubectl and checks them against the learner's own
 * configuration: the topics it reads are the topics the cluster creates, the port it listens
 * on is the port the probes and the Service use.
 */
class KubernetesManifestsTest {

    private static final Path K8S = Path.of("..", "k8s");

    private static String render(String dir) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", K8S.resolve(dir).toString()).redirectErrorStream(true).start();
        } catch (IOException e) {
            Assumptions.abort("kubectl is not installed here: " + e.getMessage());
            throw e;
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    private static Properties applicationProperties() throws IOException {
        Properties p = new Properties();
        try (InputStream in = KubernetesManifestsTest.class.getResourceAsStream("/application.properties")) {
            p.load(in);
        }
        return p;
    }

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/production"})
    void overlayAgreesWithTheLearnersConfiguration(String overlay) throws Exception {
        String yaml = render(overlay);
        Properties app = applicationProperties();
        for (String key : List.of("transitions", "dead-letter", "policy-updates", "episode-events")) {
            String topic = app.getProperty("tendon.topics." + key);
            String env = "TENDON_TOPICS_" + key.toUpperCase().replace('-', '_');
            assertTrue(yaml.contains(env + ": " + topic), env + " = " + topic);
            assertTrue(yaml.contains("kind: KafkaTopic\nmetadata:\n  labels:\n    app.kubernetes.io/part-of: tendon\n"
                    + "    strimzi.io/cluster: tendon\n  name: " + topic + "\n"), "KafkaTopic " + topic);
        }
        String port = app.getProperty("quarkus.http.port");
        assertTrue(yaml.contains("QUARKUS_HTTP_PORT: \"" + port + "\""));
        assertTrue(yaml.contains("containerPort: " + port));
        for (String probe : List.of("/q/health/ready", "/q/health/live", "/q/health/started")) {
            assertTrue(yaml.contains("path: " + probe), probe);
        }
        assertTrue(yaml.contains("TENDON_TOPICS_CREATE: \"false\""), "Strimzi owns the topics in a cluster");
        // Learner state lives on the volume, the signing key in the mounted Secret.
        for (String env : List.of("TENDON_CHECKPOINT_DIR", "TENDON_REPLAY_CHECKPOINT_DIRECTORY", "TENDON_PUBLISH_VERSION_FILE")) {
            assertTrue(Pattern.compile(env + ": /var/lib/tendon/").matcher(yaml).find(), env + " on the volume");
        }
        assertTrue(yaml.contains("mountPath: /var/lib/tendon"));
        assertTrue(yaml.contains("TENDON_PUBLISH_KEY_SECRET_DIR: /etc/tendon/keys") && yaml.contains("mountPath: /etc/tendon/keys"));
        assertTrue(yaml.contains("TENDON_PUBLISH_DEV_KEY_ALLOWED: \"false\""), "no generated keys in a cluster");
        String transitions = yaml.substring(yaml.indexOf("  name: " + app.getProperty("tendon.topics.transitions") + "\n"));
        Matcher partitions = Pattern.compile("\n  partitions: (\\d+)\n").matcher(transitions.split("\n---")[0]);
        assertTrue(partitions.find() && Integer.parseInt(partitions.group(1)) >= 4,
                "enough transition partitions to spread a fleet over learners and brokers");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kafka"})
    void kafkaClusterRendersInKraftMode(String dir) throws Exception {
        String yaml = render(dir);
        assertTrue(yaml.contains("strimzi.io/kraft: enabled"));
        assertTrue(yaml.contains("auto.create.topics.enable: false"));
    }
}
