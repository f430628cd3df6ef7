package io.tendon.local;

import java.io.IOException;
import java.net.URI;
import io.tendon.schemas.access.BearerToken;
import io.tendon.schemas.access.LocalCredentials;
import io.tendon.schemas.access.Role;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;

/**
 * The local main job: a real Kafka broker, the learner and the edge runtime, each its own
 * process on 127.0.0.1, started in that order, checked for connection, then watched until
 * Ctrl-C (or {@code -Dtendon.local.seconds}). Everything they write goes under
 * {@code .tendon/} in the project directory.
 *
 * <p>System properties: {@code tendon.local.root} (project directory), {@code tendon.local.kafka-port}
 * (9092), {@code tendon.local.controller-port} (9093), {@code tendon.local.learner-port} (8090),
 * {@code tendon.local.edge-port} (8080), {@code tendon.local.seconds} (0 = until Ctrl-C),
 * {@code tendon.local.fresh} (true: delete the previous run's broker data first).
 */
public final class LocalStack {

    private static final List<String> TOPICS = List.of("tendon.transitions", "tendon.transitions.dlq",
            "tendon.policy-updates", "tendon.episode-events");
    private static final String LEARNER_GROUP = "tendon-learner";

    private final Path root;
    private final Path home;
    private final int learnerPort;
    private final int edgePort;
    final KafkaBrokerProcess broker;
    private final List<ManagedProcess> services = new ArrayList<>();
    /** The edge's own settings: by default the simulator on the simulated clock (DESIGN.md, local main job). */
    private List<String> edgeProperties = List.of("-Dtendon.edge.clock=simulated");
    /** The learner's own settings ("-Dkey=value"). */
    private List<String> learnerProperties = List.of();
    /** More edges (a fleet): name, HTTP port, settings; started after the first. */
    private final List<EdgeSpec> moreEdges = new ArrayList<>();

    /** One more edge process of a fleet. */
    record EdgeSpec(String name, int port, List<String> properties) {
    }
    /** Development credentials under home/credentials (generated once): tokens for each role. */
    private LocalCredentials credentials;
    /** How often each service has been started by this stack (restarts log to files of their own). */
    private final Map<String, Integer> starts = new java.util.HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * @param home where the broker's data, the logs and the services' state go
     * @param root the project directory (holds the packaged services)
     */
    LocalStack(Path home, Path root, int kafkaPort, int controllerPort, int learnerPort, int edgePort) {
        this.root = root;
        this.home = home;
        this.learnerPort = learnerPort;
        this.edgePort = edgePort;
        this.broker = new KafkaBrokerProcess(home.resolve("kafka"), kafkaPort, controllerPort);
    }

    /** Replaces the edge's settings (system properties, "-Dkey=value"), before {@link #start}. */
    LocalStack edgeProperties(List<String> properties) {
        this.edgeProperties = List.copyOf(properties);
        return this;
    }

    /** Replaces the learner's settings (system properties, "-Dkey=value"), before {@link #start}. */
    LocalStack learnerProperties(List<String> properties) {
        this.learnerProperties = List.copyOf(properties);
        return this;
    }

    /** Adds another edge (another simulated robot), started after the first, before {@link #start}. */
    LocalStack addEdge(String name, int port, List<String> properties) {
        moreEdges.add(new EdgeSpec(name, port, List.copyOf(properties)));
        return this;
    }

    int learnerPort() {
        return learnerPort;
    }

    /** The robot bridge's port of the edge whose HTTP port is {@code edgeHttpPort} (the bridge has its own listener). */
    static int bridgePort(int edgeHttpPort) {
        return edgeHttpPort + 100;
    }

    /** The development credentials both services accept (after {@link #start}). */
    LocalCredentials credentials() {
        return credentials;
    }

    /** Call credentials with the development token of {@code role}, for gRPC calls to the services. */
    io.grpc.CallCredentials token(Role role) {
        return new BearerToken(credentials.token(role));
    }

    int edgePort() {
        return edgePort;
    }

    Path home() {
        return home;
    }

    /** The running service processes (learner, edges), for their liveness. */
    List<ManagedProcess> services() {
        return List.copyOf(services);
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(System.getProperty("tendon.local.root", ".")).toAbsolutePath().normalize();
        LocalStack stack = new LocalStack(root.resolve(".tendon"), root,
                Integer.getInteger("tendon.local.kafka-port", 9092),
                Integer.getInteger("tendon.local.controller-port", 9093),
                Integer.getInteger("tendon.local.learner-port", 8090),
                Integer.getInteger("tendon.local.edge-port", 8080));
        long seconds = Long.getLong("tendon.local.seconds", 0);
        if (Boolean.getBoolean("tendon.local.fresh")) {
            stack.deleteBrokerData();
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.stop();
            stopped.countDown();
        }, "tendon-local-stop"));
        int exit = 0;
        try {
            stack.start();
            stack.watch(seconds);
        } catch (Exception e) {
            System.out.println();
            System.out.println("Tendon local run FAILED: " + e.getMessage());
            exit = 1;
        }
        // Stop in order (edge, learner, broker) before the JVM exits.
        stack.stop();
        System.exit(exit);
    }

    void start() throws Exception {
        Path learnerJar = root.resolve("learner/target/quarkus-app/quarkus-run.jar");
        Path edgeJar = edgeJar();
        for (Path jar : List.of(learnerJar, edgeJar)) {
            if (!Files.exists(jar)) {
                throw new IllegalStateException(jar + " is missing: build first (mvn -B -Plocal package does)");
            }
        }
        Files.createDirectories(home.resolve("logs"));
        // Every gRPC method of both services needs a role: development tokens (only their hashes
        // go on the command lines), kept under home/credentials, never committed.
        credentials = LocalCredentials.generate(home.resolve("credentials"));
        say("Tendon local run in %s", home);
        say("[1/3] Kafka broker (KRaft) on %s, data in %s", broker.bootstrapServers(), broker.dataDirectory());
        broker.start(Duration.ofSeconds(90));

        say("[2/3] learner on http://127.0.0.1:%d", learnerPort);
        startService("learner", learnerJar, learnerPort, learnerProperties);
        say("[3/3] edge runtime on http://127.0.0.1:%d (%s)", edgePort, String.join(" ", edgeProperties));
        startService("edge", edgeJar, edgePort, edgeProperties);
        for (EdgeSpec more : moreEdges) {
            say("      %s on http://127.0.0.1:%d", more.name(), more.port());
            startService(more.name(), edgeJar, more.port(), more.properties());
        }

        try (Admin admin = admin()) {
            Set<String> topics = new TreeSet<>(admin.listTopics().names().get(10, TimeUnit.SECONDS));
            if (!topics.containsAll(TOPICS)) {
                throw new IllegalStateException("topics missing: have " + topics + ", need " + TOPICS);
            }
            int partitions = waitForLearnerAssignment(admin, Duration.ofSeconds(60));
            say("");
            say("Tendon is up and connected:");
            say("  broker   %s  topics %s", broker.bootstrapServers(), topics);
            say("  learner  http://127.0.0.1:%d  (gRPC + /q/health + /q/metrics), consuming %d partitions as group %s",
                    learnerPort, partitions, LEARNER_GROUP);
            say("  edge     http://127.0.0.1:%d  (gRPC + /q/health + /q/metrics), publishing to tendon.transitions", edgePort);
            say("  logs     %s", home.resolve("logs"));
            say("  try      kcat -b %s -L", broker.bootstrapServers());
            say("");
        }
    }

    /** The running service called {@code name} ("learner", "edge", or a fleet edge's name). */
    ManagedProcess service(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no running service " + name));
    }

    /**
     * Starts the first edge again, with its settings, spool and port, after it stopped or was
     * killed (a robot's edge restarting).
     */
    void restartEdge() throws Exception {
        services.removeIf(s -> s.name().equals("edge") && !s.alive());
        startService("edge", edgeJar(), edgePort, edgeProperties);
    }

    private Path edgeJar() {
        return root.resolve("edge-runtime/target/quarkus-app/quarkus-run.jar");
    }

    private void startService(String name, Path jar, int port, List<String> extraProperties) throws Exception {
        if (KafkaBrokerProcess.portOpen(port)) {
            throw new IllegalStateException("port " + port + " is already in use; choose -Dtendon.local." + name + "-port");
        }
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            // Its own session: Ctrl-C reaches only this launcher, which then stops the services in order.
            command.add("/usr/bin/setsid");
        }
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-Dkafka.bootstrap.servers=" + broker.bootstrapServers(),
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1"));
        if (name.equals("learner")) {
            command.addAll(credentials.learnerJvmArgs());
        } else {
            command.addAll(credentials.edgeJvmArgs());
            // Each edge its own spool and robot-bridge listener (a fleet runs several on this machine).
            command.add("-Dtendon.edge.spool.dir=" + home.resolve(name + "/spool"));
            command.add("-Dtendon.edge.bridge-server.port=" + bridgePort(port));
        }
        command.addAll(extraProperties);
        command.add("-jar");
        command.add(jar.toString());
        // A restarted service logs to a file of its own (edge.log, then edge-2.log), so the log of the
        // process that died stays as it was.
        int start = starts.merge(name, 1, Integer::sum);
        ManagedProcess process = ManagedProcess.start(name, command, root,
                home.resolve("logs/" + name + (start == 1 ? "" : "-" + start) + ".log"));
        services.add(process);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            if (!process.alive()) {
                throw new IllegalStateException(name + " exited during start-up:\n" + process.tail(40));
            }
            if (httpStatus("http://127.0.0.1:" + port + "/q/health/ready") == 200) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " was not ready within 120 s:\n" + process.tail(40));
            }
            Thread.sleep(500);
        }
    }

    private int waitForLearnerAssignment(Admin admin, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, ConsumerGroupDescription> groups =
                    admin.describeConsumerGroups(List.of(LEARNER_GROUP)).all().get(10, TimeUnit.SECONDS);
            Collection<MemberDescription> members = groups.get(LEARNER_GROUP).members();
            int partitions = members.stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum();
            if (partitions > 0) {
                return partitions;
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the learner did not join consumer group " + LEARNER_GROUP);
    }

    void watch(long seconds) throws Exception {
        long start = System.nanoTime();
        say("Watching (Ctrl-C stops everything cleanly)%s.", seconds > 0 ? " for " + seconds + " s" : "");
        while (seconds <= 0 || System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
            long remainingMs = seconds > 0
                    ? TimeUnit.SECONDS.toMillis(seconds) - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)
                    : Long.MAX_VALUE;
            Thread.sleep(Math.max(1, Math.min(10_000, remainingMs)));
            for (ManagedProcess service : services) {
                if (!service.alive()) {
                    throw new IllegalStateException(service.name() + " stopped unexpectedly:\n" + service.tail(40));
                }
            }
            String edge = scrape(edgePort);
            String learner = scrape(learnerPort);
            say("t=%4ds  edge: %.0f episodes (%.0f inserted), %.0f transitions delivered"
                            + " | learner: %.0f accepted, %.0f dead letters, stage %s, %.0f gradient steps, policy v%.0f published",
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start),
                    metric(edge, "tendon_edge_sim_episodes_total"),
                    metric(edge, "tendon_edge_sim_episodes_total", "outcome=\"success\""),
                    metric(edge, "tendon_edge_transitions_delivered_total"),
                    metric(learner, "tendon_learner_transitions_accepted_total"),
                    metric(learner, "tendon_learner_dead_letters_total"),
                    activeLabel(learner, "tendon_learner_stage", "stage"),
                    metric(learner, "tendon_learner_train_steps_total"),
                    metric(learner, "tendon_learner_policy_version"));
        }
    }

    synchronized void stop() {
        for (int i = services.size() - 1; i >= 0; i--) {
            ManagedProcess service = services.get(i);
            if (service.alive()) {
                say("stopping %s", service.name());
                service.stop(30);
            }
        }
        services.clear();
        if (broker.running()) {
            say("stopping kafka");
            broker.stop();
        }
    }

    private void deleteBrokerData() throws IOException {
        Path data = broker.dataDirectory();
        if (Files.exists(data)) {
            try (var walk = Files.walk(data)) {
                for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()));
    }

    private int httpStatus(String url) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(url))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    String scrape(int port) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                    .header("Accept", "text/plain").timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** The value of {@code label} on the sample of {@code name} that reads 1 (a one-hot gauge), or "-". */
    static String activeLabel(String body, String name, String label) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{[^}]*" + Pattern.quote(label)
                + "=\"([^\"]*)\"[^}]*\\} 1(\\.0)?$").matcher(body);
        return m.find() ? m.group(1) : "-";
    }

    /** Sum of every sample of a Prometheus metric (all label sets). */
    static double metric(String body, String name) {
        return metric(body, name, "");
    }

    /** Sum of the samples of a Prometheus metric whose labels contain {@code labels}. */
    static double metric(String body, String name, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(body);
        double sum = 0;
        while (m.find()) {
            if (labels.isEmpty() || (m.group(1) != null && m.group(1).contains(labels))) {
                sum += Double.parseDouble(m.group(2));
            }
        }
        return sum;
    }

    static void say(String format, Object... args) {
        System.out.println(String.format(format, args));
        System.out.flush();
    }
}
