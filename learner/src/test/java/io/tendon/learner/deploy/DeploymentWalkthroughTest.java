package io.tendon.learner.deploy;

import static io.tendon.learner.deploy.Manifests.at;
import static io.tendon.learner.deploy.Manifests.maps;
import static io.tendon.learner.deploy.Manifests.str;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.publish.SigningKey;
import io.tendon.learner.publish.SigningKeys;
import io.tendon.schemas.update.PolicySigning;
import io.tendon.schemas.update.TrustedKeys;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The README's "Deploying" section against what it describes: the commands it shows name resources
 * the manifests really create (namespaces, Secrets, the Kafka cluster and its external listener, the
 * robots' users), its signing-key commands produce a key the learner loads and a public key robots
 * can trust, the robot's install commands put files where the systemd unit and the settings read
 * them, and its tables list every alert, every distribution file and the retention the topics have.
 */
class DeploymentWalkthroughTest {

    static final Path ROOT = Path.of("..");
    static final Path DIST = ROOT.resolve("edge-runtime/src/main/dist");

    /** The README from "## Deploying" to the next top-level section. */
    static String section() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf("\n## Deploying\n");
        assertTrue(start >= 0, "README has a Deploying section");
        int end = readme.indexOf("\n## ", start + 5);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The shell lines of the section's ```bash blocks. */
    static List<String> commands() throws IOException {
        List<String> commands = new ArrayList<>();
        boolean in = false;
        for (String line : section().split("\n")) {
            if (line.startsWith("```")) {
                in = !in && line.trim().equals("```bash");
                continue;
            }
            if (in && !line.isBlank() && !line.trim().startsWith("#")) {
                commands.add(line.trim());
            }
        }
        assertFalse(commands.isEmpty());
        return commands;
    }

    static List<String> starting(String prefix) throws IOException {
        return commands().stream().filter(c -> c.startsWith(prefix)).toList();
    }

    @Test
    void everyPathTheSectionNamesExists() throws IOException {
        Matcher path = Pattern.compile("(?<![\\w/.-])((?:k8s|learner/src|edge-runtime/src|src-native-config)/[\\w./-]*[\\w])")
                .matcher(section());
        int count = 0;
        while (path.find()) {
            count++;
            assertTrue(Files.exists(ROOT.resolve(path.group(1))), path.group(1) + " named in the README does not exist");
        }
        assertTrue(count > 10, "paths found: " + count);
    }

    @Test
    void signingKeyCommandsMakeAKeyTheLearnerLoadsAndRobotsTrust(@TempDir Path dir) throws Exception {
        List<String> openssl = starting("openssl ");
        assertEquals(2, openssl.size(), openssl.toString());
        for (String command : openssl) {
            Process p;
            try {
                p = new ProcessBuilder("sh", "-c", command).directory(dir.toFile()).redirectErrorStream(true).start();
            } catch (IOException e) {
                Assumptions.abort("no sh or openssl: " + e.getMessage());
                throw e;
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            Assumptions.assumeFalse(p.exitValue() == 127, "openssl is not installed");
            assertEquals(0, p.exitValue(), command + ": " + out);
        }
        // The Secret as the README creates it: key KEY holding the file openssl wrote.
        List<String> create = starting("kubectl -n tendon create secret generic ");
        assertEquals(1, create.size());
        Matcher secret = Pattern.compile("create secret generic (\\S+) --from-file=([^=\\s]+)=(\\S+)$").matcher(create.get(0));
        assertTrue(secret.find(), create.get(0));
        Path mounted = Files.createDirectories(dir.resolve("mounted"));
        Files.copy(dir.resolve(secret.group(3)), mounted.resolve(secret.group(2)));
        Path learnerPublic = dir.resolve("learner-wrote.pub.pem");
        // As the learner starts in the cluster: the Secret's directory, no development key allowed.
        SigningKey key = SigningKeys.load(Optional.empty(), Optional.of(mounted.toString()), secret.group(2), false,
                dir.resolve("dev"), learnerPublic);
        // The public key the README installs on robots is the learner's, by key id and by bytes.
        String trusted = trustedKeyFileInstalledOnRobots();
        TrustedKeys keys = TrustedKeys.load(List.of(dir.resolve(trusted)));
        assertEquals(Set.of(key.keyId()), keys.ids());
        assertEquals(PolicySigning.publicPem(key.publicKey()), Files.readString(learnerPublic));
        assertEquals(key.publicKey(), keys.key(key.keyId()).orElseThrow());
    }

    /** The source file of "sudo install ... /etc/tendon/trusted-keys/...". */
    private static String trustedKeyFileInstalledOnRobots() throws IOException {
        List<String> install = starting("sudo install ").stream().filter(c -> c.contains("/etc/tendon/trusted-keys/")).toList();
        assertEquals(1, install.size());
        String[] words = install.get(0).split("\\s+");
        return words[words.length - 2];
    }

    @Test
    void clusterCommandsNameWhatTheManifestsCreate() throws Exception {
        Manifests production = Manifests.render("overlays/production");
        Manifests robots = Manifests.render("robots");
        String namespace = str(production.ofKind("Namespace").get(0), "metadata", "name");
        int checked = 0;
        for (String command : commands()) {
            if (!command.startsWith("kubectl ") && !command.startsWith("helm ")) {
                continue;
            }
            checked++;
            Matcher ns = Pattern.compile("(?:-n|--namespace) (\\S+)").matcher(command);
            if (command.startsWith("kubectl ") && ns.find()) {
                assertEquals(namespace, ns.group(1), command);
            }
            Matcher applyK = Pattern.compile("apply (?:-n \\S+ )?-k (\\S+)").matcher(command);
            if (applyK.find()) {
                assertTrue(applyK.group(1).startsWith("k8s/"), command);
                Manifests.render(applyK.group(1).substring("k8s/".length()));
            }
            Matcher applyF = Pattern.compile("apply -f (\\S+)").matcher(command);
            if (applyF.find()) {
                Map<?, ?> object = new Yaml().load(Files.readString(ROOT.resolve(applyF.group(1))));
                assertEquals("Namespace", object.get("kind"), command);
                assertEquals(namespace, str(object, "metadata", "name"), command);
            }
            Matcher resource = Pattern.compile("(?:wait|rollout status) (\\w+)/(\\S+)").matcher(command);
            if (resource.find()) {
                String kind = Map.of("kafka", "Kafka", "kafkauser", "KafkaUser", "statefulset", "StatefulSet")
                        .get(resource.group(1));
                assertNotNull(kind, command);
                Manifests where = kind.equals("KafkaUser") && resource.group(2).startsWith("robot-") ? robots : production;
                where.get(kind, resource.group(2));
            }
            Matcher getSecret = Pattern.compile("get secret (\\S+) -o jsonpath='\\{\\.data\\.([^}]+)}'").matcher(command);
            if (getSecret.find()) {
                String name = getSecret.group(1);
                String dataKey = getSecret.group(2).replace("\\.", ".");
                if (name.endsWith("-cluster-ca-cert")) {
                    // Strimzi's cluster CA Secret of the Kafka cluster; the learner mounts the same one.
                    production.get("Kafka", name.substring(0, name.length() - "-cluster-ca-cert".length()));
                    assertEquals("ca.crt", dataKey);
                    assertTrue(production.yaml.contains("secretName: " + name), "the learner trusts the same CA");
                } else {
                    // A KafkaUser's Secret has the user's name and holds "password" and "sasl.jaas.config"
                    // (the learner reads the same key from its own).
                    robots.get("KafkaUser", name);
                    assertEquals("sasl.jaas.config", dataKey);
                    assertTrue(production.yaml.contains("key: sasl.jaas.config"), "the learner reads the same key");
                }
            }
            Matcher listener = Pattern.compile("get kafka (\\S+) .*@\\.name==\"(\\w+)\"").matcher(command);
            if (listener.find()) {
                Map<String, Object> kafka = production.get("Kafka", listener.group(1));
                Map<String, Object> external = maps(kafka, "spec", "kafka", "listeners").stream()
                        .filter(l -> listener.group(2).equals(l.get("name"))).findFirst().orElseThrow();
                assertEquals(true, external.get("tls"), "robots connect with TLS");
                assertEquals("scram-sha-512", str(external, "authentication", "type"));
                Properties kafkaProperties = properties(DIST.resolve("etc/kafka.properties.example"));
                assertTrue(kafkaProperties.getProperty("kafka.bootstrap.servers").endsWith(":" + external.get("port")));
            }
            if (command.startsWith("helm install strimzi ")) {
                assertTrue(command.contains("\"watchNamespaces={" + namespace + "}\""), command);
                Matcher version = Pattern.compile("--version (\\S+)").matcher(command);
                assertTrue(version.find());
                // The operator version the manifests are validated against.
                assertTrue(Files.readString(ROOT.resolve("k8s/test/schema-validation/validate.mjs"))
                        .contains("strimzi-crds-" + version.group(1)), version.group(1));
                assertTrue(command.contains("STRIMZI_POD_SECURITY_PROVIDER_CLASS")
                        && command.contains("extraEnvs[0].value=restricted"), "restricted pods for a restricted namespace");
                assertEquals("restricted", str(production.ofKind("Namespace").get(0), "metadata", "labels",
                        "pod-security.kubernetes.io/enforce"));
            }
            if (command.startsWith("helm install monitoring ")) {
                assertTrue(command.contains("--namespace monitoring"), command);
                String policy = production.yaml;
                assertTrue(policy.contains("kubernetes.io/metadata.name: monitoring"), "the NetworkPolicy admits that namespace");
                assertTrue(command.contains("grafana.sidecar.dashboards.searchNamespace=ALL"));
            }
        }
        assertTrue(checked >= 10, "cluster commands checked: " + checked);
    }

    @Test
    void robotInstallCommandsPutFilesWhereTheUnitAndSettingsReadThem() throws Exception {
        String unit = Files.readString(DIST.resolve("systemd/tendon-edge.service"));
        Properties edge = properties(DIST.resolve("etc/edge.properties"));
        for (String command : starting("sudo install ")) {
            String[] words = command.split("\\s+");
            String target = words[words.length - 1];
            String mode = words[Stream.of(words).toList().indexOf("-m") + 1];
            if (target.startsWith("/etc/tendon/credentials/")) {
                assertTrue(unit.contains(":" + target + "\n"), target + " is a LoadCredential of the unit");
                assertEquals("0600", mode, target);
            } else if (target.startsWith("/etc/tendon/trusted-keys/")) {
                assertEquals(edge.getProperty("tendon.edge.updates.trusted-keys"), target.substring(0, target.lastIndexOf('/')));
                assertEquals("0644", mode, target);
            } else {
                throw new AssertionError("unexpected install: " + command);
            }
        }
        // The install script's argument is the executable the native build writes.
        List<String> script = starting("sudo edge-runtime/src/main/dist/install.sh ");
        assertEquals(1, script.size());
        Map<?, ?> pom = pom();
        String runner = "edge-runtime/target/" + pom.get("artifactId") + "-" + pom.get("version") + "-runner";
        assertTrue(script.get(0).endsWith(" " + runner), script.get(0) + " should install " + runner);
        assertTrue(section().contains("`" + runner + "`"), "the section says where the executable is");
        assertEquals(List.of("sudo systemctl enable --now tendon-edge"), starting("sudo systemctl "));
        assertTrue(Files.isRegularFile(DIST.resolve("systemd/tendon-edge.service")));
        // The real-time settings the section quotes are the unit's.
        for (String quoted : List.of("CPUAffinity=0-2", "LimitRTPRIO=90", "LimitMEMLOCK=infinity", "ExecStartPost=",
                "TENDON_CONTROL_CPU=3", "TENDON_CONTROL_RTPRIO=80", "-Xms512m -Xmx512m", "-Xmn16m", "ProtectSystem=strict",
                "NoNewPrivileges=yes", "PrivateTmp=yes", "ProtectHome=yes", "StateDirectory=tendon-edge", "TimeoutStopSec=30")) {
            assertTrue(unit.contains(quoted), quoted + " is not in the unit");
        }
        String text = section();
        for (String quoted : List.of("`CPUAffinity=0-2`", "`LimitRTPRIO=90`", "`LimitMEMLOCK=infinity`", "`-Xms512m -Xmx512m`",
                "`-Xmn16m`", "SCHED_FIFO 80", "core 3")) {
            assertTrue(text.contains(quoted), quoted + " is not in the README");
        }
    }

    @Test
    void theDistributionTableListsEveryFile() throws IOException {
        String text = section();
        try (Stream<Path> files = Files.walk(DIST)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String relative = DIST.relativize(file).toString();
                assertTrue(text.contains("| `" + relative + "` |"), relative + " is not in the README's table");
            }
        }
    }

    @Test
    void theBuildCommandsAreTheProfilesThatExist() throws IOException {
        List<String> nativeBuilds = starting("mvn -B -Pnative");
        assertEquals(List.of("mvn -B -Pnative -pl edge-runtime -am package -DskipTests",
                "mvn -B -Pnative,linux-arm64 -pl edge-runtime -am package -DskipTests"), nativeBuilds);
        String parent = Files.readString(ROOT.resolve("pom.xml"));
        for (String profile : List.of("native", "linux-arm64", "gpu")) {
            assertTrue(parent.contains("<id>" + profile + "</id>"), profile);
        }
        assertTrue(Files.isDirectory(ROOT.resolve(
                "edge-runtime/src/main/resources/META-INF/native-image/io.tendon/tendon-edge-runtime")));
    }

    @Test
    void theOverlayTableAndImagesAreTheManifests() throws Exception {
        String text = section();
        for (String overlay : List.of("dev", "production")) {
            Manifests m = Manifests.render("overlays/" + overlay);
            String namespace = str(m.ofKind("Namespace").get(0), "metadata", "name");
            int brokers = ((Number) at(m.ofKind("KafkaNodePool").get(0), "spec", "replicas")).intValue();
            String image = str(maps(m.get("StatefulSet", "tendon-learner"), "spec", "template", "spec", "containers").get(0), "image");
            Matcher row = Pattern.compile("\\| `k8s/overlays/" + overlay + "` \\| all of the above in namespace `([^`]+)`: (one|three) brokers?, an? (CPU|GPU) learner, image `([^`]+)` \\|")
                    .matcher(text);
            assertTrue(row.find(), "the table's row of " + overlay);
            assertEquals(namespace, row.group(1));
            assertEquals(brokers, row.group(2).equals("one") ? 1 : 3);
            assertEquals(row.group(3).equals("GPU"), m.yaml.contains("nvidia.com/gpu: \"1\""), overlay);
            assertEquals(image, row.group(4));
            String kafka = str(m.ofKind("Kafka").get(0), "spec", "kafka", "version");
            assertTrue(text.contains("**Strimzi 0.49** (Kafka " + kafka.substring(0, kafka.lastIndexOf('.')) + ")"), kafka);
        }
        // The bases the section names are the GPU image's.
        String gpu = Files.readString(ROOT.resolve("learner/src/main/docker/Dockerfile.gpu"));
        Matcher cuda = Pattern.compile("`(nvidia/cuda:\\S+)`").matcher(text);
        assertTrue(cuda.find());
        assertTrue(gpu.contains("\nFROM " + cuda.group(1) + "\n"), cuda.group(1));
        assertTrue(text.contains("Eclipse Temurin 17") && gpu.contains("FROM eclipse-temurin:17."));
    }

    @Test
    void theAlertTableListsEveryAlert() throws IOException {
        Set<String> rules = new TreeSet<>();
        for (Object doc : new Yaml().loadAll(Files.readString(ROOT.resolve("k8s/monitoring/prometheus-rule.yaml")))) {
            for (Map<String, Object> group : maps(doc, "spec", "groups")) {
                for (Map<String, Object> rule : maps(group, "rules")) {
                    if (rule.get("alert") != null) {
                        rules.add(str(rule, "alert"));
                    }
                }
            }
        }
        Set<String> table = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| (`Tendon\\w+`(?:, `Tendon\\w+`)*) \\|").matcher(section());
        while (row.find()) {
            Matcher name = Pattern.compile("`(Tendon\\w+)`").matcher(row.group(1));
            while (name.find()) {
                table.add(name.group(1));
            }
        }
        assertEquals(rules, table);
    }

    @Test
    void theRetentionSaidIsTheRetentionSet() throws IOException {
        Map<String, String> labels = Map.of("tendon.transitions", "transitions", "tendon.transitions.dlq", "dead letters",
                "tendon.episode-events", "episode events", "tendon.policy-updates", "policy updates");
        String text = section().replaceAll("\\s+", " ");
        int topics = 0;
        for (Object doc : new Yaml().loadAll(Files.readString(ROOT.resolve("k8s/base/topics.yaml")))) {
            String name = str(doc, "metadata", "name");
            String label = labels.get(name);
            assertNotNull(label, name);
            topics++;
            long days = ((Number) at(doc, "spec", "config", "retention.ms")).longValue() / 86_400_000L;
            long gib = ((Number) at(doc, "spec", "config", "retention.bytes")).longValue() >> 30;
            assertTrue(text.contains(label + " " + days + " days"), label + " " + days + " days");
            if (!name.equals("tendon.episode-events")) {
                assertTrue(text.contains(label + " " + days + " days (" + gib + " GiB"), label + ": " + gib + " GiB");
            }
        }
        assertEquals(labels.size(), topics);
    }

    private static Map<?, ?> pom() throws IOException {
        String pom = Files.readString(ROOT.resolve("edge-runtime/pom.xml"));
        Matcher artifact = Pattern.compile("</parent>\\s*<artifactId>([^<]+)</artifactId>").matcher(pom);
        Matcher version = Pattern.compile("<parent>.*?<version>([^<]+)</version>", Pattern.DOTALL).matcher(pom);
        assertTrue(artifact.find() && version.find());
        return Map.of("artifactId", artifact.group(1), "version", version.group(1));
    }

    private static Properties properties(Path file) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(file)));
        return p;
    }
}
