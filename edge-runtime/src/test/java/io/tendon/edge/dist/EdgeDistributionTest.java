package io.tendon.edge.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.edge.policy.service.PolicyConfig;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The robot-side distribution under src/main/dist: the systemd unit has the real-time settings the
 * README describes and passes {@code systemd-analyze verify}; the credentials reach the service only
 * through systemd, from root-only files; install.sh puts every file in place with the right mode;
 * the pin script really moves a named thread; the example settings are keys the edge runtime reads.
 */
class EdgeDistributionTest {

    static final Path DIST = Path.of("src", "main", "dist");
    static final Path UNIT = DIST.resolve("systemd/tendon-edge.service");
    static final Path JVM_DROP_IN = DIST.resolve("systemd/tendon-edge.service.d/jvm.conf");
    static final String CREDENTIALS = "/run/credentials/tendon-edge.service/";

    /** A unit file: section, then key to every value in order (keys such as ExecStart repeat). */
    static Map<String, Map<String, List<String>>> parseUnit(String text) {
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        Map<String, List<String>> current = null;
        for (String line : text.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
                continue;
            }
            if (trimmed.startsWith("[")) {
                current = sections.computeIfAbsent(trimmed.substring(1, trimmed.length() - 1), k -> new LinkedHashMap<>());
                continue;
            }
            int eq = trimmed.indexOf('=');
            assertTrue(eq > 0 && current != null, "not a unit line: " + line);
            current.computeIfAbsent(trimmed.substring(0, eq), k -> new ArrayList<>()).add(trimmed.substring(eq + 1));
        }
        return sections;
    }

    /** The value in effect: the last one, after an empty assignment resets the list. */
    static String last(Map<String, List<String>> section, String key) {
        List<String> values = section.get(key);
        assertNotNull(values, key + " missing");
        return values.get(values.size() - 1);
    }

    static Map<String, String> environment(Map<String, List<String>> service) {
        Map<String, String> env = new LinkedHashMap<>();
        for (String value : service.getOrDefault("Environment", List.of())) {
            for (String assignment : value.split("\\s+")) {
                int eq = assignment.indexOf('=');
                env.put(assignment.substring(0, eq), assignment.substring(eq + 1));
            }
        }
        return env;
    }

    static String option(List<String> args, String prefix) {
        return args.stream().filter(a -> a.startsWith(prefix)).map(a -> a.substring(prefix.length())).findFirst()
                .orElse(null);
    }

    private static Map<String, List<String>> service(Path unit) throws IOException {
        return parseUnit(Files.readString(unit)).get("Service");
    }

    @Test
    void nativeUnitHasTheRealTimeSettings() throws IOException {
        Map<String, List<String>> service = service(UNIT);
        Map<String, String> env = environment(service);
        int controlCpu = Integer.parseInt(env.get("TENDON_CONTROL_CPU"));
        int rtprio = Integer.parseInt(env.get("TENDON_CONTROL_RTPRIO"));
        // Everything but the control thread kept off the isolated core; the pin script moves it there.
        Set<Integer> affinity = cpus(last(service, "CPUAffinity"));
        assertFalse(affinity.isEmpty());
        assertFalse(affinity.contains(controlCpu), "CPUAffinity must leave core " + controlCpu + " to the control thread");
        assertEquals("/opt/tendon/bin/tendon-pin-control-thread", last(service, "ExecStartPost"));
        // SCHED_FIFO without CAP_SYS_NICE: the RTPRIO limit covers the priority asked for.
        assertTrue(rtprio > 0 && Integer.parseInt(last(service, "LimitRTPRIO")) >= rtprio);
        assertEquals("infinity", last(service, "LimitMEMLOCK"));
        // A fixed heap and a small young generation (the native image's Serial collector).
        List<String> args = List.of(last(service, "ExecStart").split("\\s+"));
        assertEquals("/opt/tendon/bin/tendon-edge-runtime", args.get(0));
        assertNotNull(option(args, "-Xmx"));
        assertEquals(option(args, "-Xmx"), option(args, "-Xms"), "-Xms = -Xmx");
        assertNotNull(option(args, "-Xmn"), "a small young generation: -Xmn");
        // JavaCPP unpacks its natives where the service may write.
        assertTrue(option(args, "-Dorg.bytedeco.javacpp.cachedir=").startsWith("/var/lib/" + last(service, "StateDirectory") + "/"));
        assertEquals("/var/lib/" + last(service, "StateDirectory"), last(service, "WorkingDirectory"));
        // Not root, no way back to privileges, the system read-only, a clean stop on SIGTERM.
        assertNotEquals("root", last(service, "User"));
        assertEquals("yes", last(service, "NoNewPrivileges"));
        assertEquals("strict", last(service, "ProtectSystem"));
        assertEquals("SIGTERM", last(service, "KillSignal"));
        assertEquals("on-failure", last(service, "Restart"));
    }

    @Test
    void jvmDropInRunsTheJvmWithAFixedPreTouchedHeapAndZgc() throws IOException {
        Map<String, List<String>> service = service(JVM_DROP_IN);
        List<String> execStart = service.get("ExecStart");
        assertEquals("", execStart.get(0), "the drop-in resets ExecStart before setting its own");
        assertEquals(2, execStart.size());
        List<String> args = List.of(execStart.get(1).split("\\s+"));
        assertEquals("/usr/bin/java", args.get(0));
        assertEquals(option(args, "-Xmx"), option(args, "-Xms"), "-Xms = -Xmx");
        assertTrue(args.contains("-XX:+AlwaysPreTouch"));
        assertTrue(args.contains("-XX:+UseZGC"));
        assertEquals("/opt/tendon/edge/quarkus-run.jar", args.get(args.size() - 1));
        assertEquals("-jar", args.get(args.size() - 2));
    }

    @Test
    void credentialsReachTheServiceOnlyThroughSystemd() throws IOException {
        Map<String, List<String>> service = service(UNIT);
        Map<String, String> loaded = new LinkedHashMap<>();
        for (String credential : service.get("LoadCredential")) {
            int colon = credential.indexOf(':');
            String source = credential.substring(colon + 1);
            assertTrue(source.startsWith("/etc/tendon/credentials/"), source + ": credentials live in the root-only directory");
            loaded.put(credential.substring(0, colon), source);
        }
        assertTrue(loaded.containsKey("kafka.properties"), loaded.toString());
        // The settings, then the Kafka connection from the credentials directory systemd fills.
        List<String> locations = List.of(environment(service).get("QUARKUS_CONFIG_LOCATIONS").split(","));
        assertEquals(List.of("/etc/tendon/edge.properties", CREDENTIALS + "kafka.properties"), locations);
        // Every file the Kafka settings name is a credential of this unit.
        Properties kafka = properties(DIST.resolve("etc/kafka.properties.example"));
        for (String key : kafka.stringPropertyNames()) {
            assertTrue(key.startsWith("kafka."), key + ": only Kafka settings in the credential");
            String value = kafka.getProperty(key);
            if (key.endsWith(".location")) {
                assertTrue(value.startsWith(CREDENTIALS), key + "=" + value);
                assertTrue(loaded.containsKey(value.substring(CREDENTIALS.length())), value + " is not a LoadCredential");
            }
        }
        assertEquals("SASL_SSL", kafka.getProperty("kafka.security.protocol"));
        assertEquals("SCRAM-SHA-512", kafka.getProperty("kafka.sasl.mechanism"));
        // The settings and keys: read-only for the service; the keys where the settings say.
        assertTrue(service.get("ReadOnlyPaths").contains("/etc/tendon"));
        Properties edge = properties(DIST.resolve("etc/edge.properties"));
        assertTrue(edge.getProperty("tendon.edge.updates.trusted-keys").startsWith("/etc/tendon/"));
        assertTrue(edge.getProperty("tendon.edge.updates.cache-dir").startsWith("/var/lib/" + last(service, "StateDirectory") + "/"),
                "the policy cache where the service may write");
        assertFalse(edge.stringPropertyNames().stream().anyMatch(k -> k.startsWith("kafka.")),
                "no Kafka settings (and so no password) in the world-readable edge.properties");
    }

    @Test
    void exampleSettingsAreKeysTheEdgeRuntimeReads() throws IOException {
        // SmallRye Config refuses unknown keys under a mapping's prefix and values of the wrong type.
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(map(properties(DIST.resolve("etc/edge.properties"))), "edge.properties", 500))
                .withMapping(EdgeConfig.class)
                .withMapping(PolicyConfig.class)
                .withValidateUnknown(true)
                .build();
        EdgeConfig edge = config.getConfigMapping(EdgeConfig.class);
        assertEquals("arm-7", edge.robotId());
        assertEquals("grpc", edge.bridge());
        assertEquals(List.of("/etc/tendon/trusted-keys"), edge.updates().trustedKeys().orElseThrow());
        assertTrue(config.getConfigMapping(PolicyConfig.class).bundleDir().isPresent());
        // Quarkus's own switches: ones the edge's configuration declares (a typo would stay silent).
        Properties declared = properties(Path.of("src/main/resources/application.properties"));
        Properties template = properties(DIST.resolve("etc/edge.properties"));
        for (String key : template.stringPropertyNames()) {
            if (key.startsWith("quarkus.")) {
                assertNotNull(declared.getProperty(key), key + " is not a setting of the edge runtime");
            }
        }
        // JSON lines on the robot, with the robot, episode and policy version (EdgeOperationsTest checks the lines).
        assertEquals("true", template.getProperty("quarkus.log.console.json.enabled"));
        // Text lines (JSON off): the date first, then the robot, episode and policy version.
        String format = declared.getProperty("quarkus.log.console.format");
        assertTrue(format.startsWith("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} "), format);
        assertTrue(format.contains("robot=%X{robot_id} episode=%X{episode_id} policy=%X{policy_version}"), format);
    }

    @Test
    void unitPassesSystemdAnalyzeVerify(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("systemd-analyze"), "systemd-analyze is not installed");
        // verify insists that the executables exist: stubs stand in for /opt/tendon/bin, nothing else changes.
        Path bin = Files.createDirectories(dir.resolve("opt/tendon/bin"));
        for (String name : List.of("tendon-edge-runtime", "tendon-pin-control-thread")) {
            Files.writeString(bin.resolve(name), "#!/bin/sh\n");
            Files.setPosixFilePermissions(bin.resolve(name), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        String unit = Files.readString(UNIT).replace("/opt/tendon/bin/", bin + "/");
        for (String variant : List.of("native", "jvm")) {
            // The drop-in appended: the same as systemd merging it (ExecStart= resets the list).
            String text = variant.equals("native") ? unit : unit + "\n" + Files.readString(JVM_DROP_IN);
            if (variant.equals("jvm") && !Files.isExecutable(Path.of("/usr/bin/java"))) {
                text = text.replace("/usr/bin/java", bin.resolve("tendon-edge-runtime").toString());
            }
            Path file = Files.createDirectories(dir.resolve(variant)).resolve("tendon-edge.service");
            Files.writeString(file, text);
            Process process = new ProcessBuilder("systemd-analyze", "verify", file.toString())
                    .redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(60, TimeUnit.SECONDS));
            // Unknown keys and unparsable values are only warnings: any output fails.
            assertEquals("", output.trim(), variant);
            assertEquals(0, process.exitValue(), variant);
        }
    }

    @Test
    void installPutsEveryFileInPlaceWithItsMode(@TempDir Path root) throws Exception {
        Path executable = root.resolve("build/tendon-edge-runtime-runner");
        Files.createDirectories(executable.getParent());
        Files.writeString(executable, "#!/bin/sh\n");
        install(root, executable);

        assertMode(root, "opt/tendon/bin/tendon-edge-runtime", "rwxr-xr-x");
        assertMode(root, "opt/tendon/bin/tendon-pin-control-thread", "rwxr-xr-x");
        assertMode(root, "etc/systemd/system/tendon-edge.service", "rw-r--r--");
        assertMode(root, "etc/tendon/edge.properties", "rw-r--r--");
        assertMode(root, "etc/tendon/trusted-keys", "rwxr-xr-x");
        assertMode(root, "etc/tendon/credentials", "rwx------");
        assertMode(root, "etc/tendon/credentials/kafka.properties", "rw-------");
        assertEquals(Files.readString(UNIT), Files.readString(root.resolve("etc/systemd/system/tendon-edge.service")));
        assertFalse(Files.exists(root.resolve("etc/systemd/system/tendon-edge.service.d/jvm.conf")));
        if ("root".equals(System.getProperty("user.name"))) {
            for (String path : List.of("etc/tendon/credentials", "etc/tendon/credentials/kafka.properties",
                    "etc/tendon/trusted-keys", "opt/tendon/bin/tendon-edge-runtime")) {
                assertEquals("root", Files.getOwner(root.resolve(path)).getName(), path);
            }
        }

        // A re-install keeps this robot's settings and password and puts loosened modes right again.
        Path kafka = root.resolve("etc/tendon/credentials/kafka.properties");
        Files.writeString(kafka, "kafka.sasl.jaas.config=this robot's\n");
        Files.setPosixFilePermissions(kafka, PosixFilePermissions.fromString("rw-r--r--"));
        Path key = root.resolve("etc/tendon/trusted-keys/learner.pub");
        Files.writeString(key, "key\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.setPosixFilePermissions(root.resolve("etc/tendon/credentials"), PosixFilePermissions.fromString("rwxr-xr-x"));
        install(root, executable);
        assertEquals("kafka.sasl.jaas.config=this robot's\n", Files.readString(kafka));
        assertMode(root, "etc/tendon/credentials/kafka.properties", "rw-------");
        assertMode(root, "etc/tendon/credentials", "rwx------");
        assertMode(root, "etc/tendon/trusted-keys/learner.pub", "rw-r--r--");

        // The JVM build: the quarkus-app directory and the drop-in that starts it.
        Path app = Files.createDirectories(root.resolve("build/quarkus-app/lib"));
        Files.writeString(app.getParent().resolve("quarkus-run.jar"), "jar");
        install(root, app.getParent());
        assertTrue(Files.exists(root.resolve("opt/tendon/edge/quarkus-run.jar")));
        assertMode(root, "etc/systemd/system/tendon-edge.service.d/jvm.conf", "rw-r--r--");
    }

    private static void install(Path root, Path build) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("sh", DIST.resolve("install.sh").toString(), build.toString())
                .redirectErrorStream(true);
        builder.environment().put("DESTDIR", root.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, process.exitValue(), output);
    }

    private static void assertMode(Path root, String path, String mode) throws IOException {
        Set<PosixFilePermission> actual = Files.getPosixFilePermissions(root.resolve(path));
        assertEquals(mode, PosixFilePermissions.toString(actual), path);
    }

    @Test
    void pinScriptMovesTheNamedThreadOntoItsCore() throws Exception {
        assumeTrue(onPath("taskset"), "taskset is not installed");
        Set<Integer> allowed = cpus(statusField("self", "Cpus_allowed_list"));
        int target = allowed.stream().max(Integer::compare).orElseThrow();
        String name = "tendon-pintest";
        CountDownLatch stop = new CountDownLatch(1);
        Thread thread = new Thread(() -> {
            try {
                stop.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, name);
        thread.start();
        try {
            String pid = Long.toString(ProcessHandle.current().pid());
            // No real-time priority here (a shared build machine): the affinity is what is checked.
            Process process = pin(pid, name, Integer.toString(target), "10");
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, process.exitValue(), output);
            Matcher tid = Pattern.compile("\\(thread (\\d+) of " + pid + "\\)").matcher(output);
            assertTrue(tid.find(), output);
            assertEquals(name, Files.readString(Path.of("/proc/self/task", tid.group(1), "comm")).trim());
            assertEquals(Set.of(target), cpus(statusField("self/task/" + tid.group(1), "Cpus_allowed_list")));
            // The rest of the process keeps its affinity.
            assertEquals(allowed, cpus(statusField("self", "Cpus_allowed_list")));
        } finally {
            stop.countDown();
            thread.join();
        }
        // A process without the thread fails the start instead of running unpinned.
        Process missing = pin(Long.toString(ProcessHandle.current().pid()), "no-such-thread", "0", "0");
        String output = new String(missing.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(missing.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, missing.exitValue(), output);
        assertTrue(output.contains("no no-such-thread thread"), output);
    }

    private static Process pin(String pid, String name, String cpu, String waitSeconds) throws IOException {
        ProcessBuilder builder = new ProcessBuilder("sh", DIST.resolve("bin/tendon-pin-control-thread").toString())
                .redirectErrorStream(true);
        builder.environment().putAll(Map.of("MAINPID", pid, "TENDON_CONTROL_THREAD", name, "TENDON_CONTROL_CPU", cpu,
                "TENDON_CONTROL_RTPRIO", "0", "TENDON_CONTROL_WAIT_SECONDS", waitSeconds));
        return builder.start();
    }

    private static String statusField(String proc, String field) throws IOException {
        return Files.readAllLines(Path.of("/proc", proc, "status")).stream().filter(l -> l.startsWith(field + ":"))
                .map(l -> l.substring(field.length() + 1).trim()).findFirst().orElseThrow();
    }

    /** A CPU list such as 0-2,5. */
    static Set<Integer> cpus(String list) {
        Set<Integer> cpus = new java.util.TreeSet<>();
        for (String part : list.trim().split(",")) {
            String[] range = part.split("-");
            int from = Integer.parseInt(range[0].trim());
            int to = range.length > 1 ? Integer.parseInt(range[1].trim()) : from;
            for (int cpu = from; cpu <= to; cpu++) {
                cpus.add(cpu);
            }
        }
        return cpus;
    }

    private static boolean onPath(String tool) {
        return java.util.Arrays.stream(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
    }

    private static Properties properties(Path file) throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(Files.readString(file)));
        return properties;
    }

    private static Map<String, String> map(Properties properties) {
        return properties.stringPropertyNames().stream().collect(Collectors.toMap(k -> k, properties::getProperty));
    }
}
