package io.tendon.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real Apache Kafka broker (KRaft, combined broker and controller) in its own JVM, from
 * the kafka_2.13 jars on this process's class path, listening on 127.0.0.1 with its data in
 * {@code dataDirectory}. The storage is formatted once; later runs reuse it.
 */
final class KafkaBrokerProcess {

    private final Path home;
    private final int port;
    private final int controllerPort;
    private ManagedProcess process;

    KafkaBrokerProcess(Path home, int port, int controllerPort) {
        this.home = home;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    Path dataDirectory() {
        return home.resolve("data");
    }

    void start(Duration timeout) throws IOException, InterruptedException {
        if (portOpen(port) || portOpen(controllerPort)) {
            throw new IllegalStateException("port " + port + " or " + controllerPort
                    + " on 127.0.0.1 is already in use; stop what holds it or choose -Dtendon.local.kafka-port");
        }
        Path config = writeConfig();
        if (!Files.exists(dataDirectory().resolve("meta.properties"))) {
            format(config);
        }
        process = ManagedProcess.start("kafka", javaCommand("kafka.Kafka", config.toString()), home,
                home.resolve("kafka.log"));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready()) {
            if (!process.alive()) {
                throw new IllegalStateException("the Kafka broker exited during start-up:\n" + process.tail(30));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the Kafka broker was not ready within " + timeout.toSeconds()
                        + " s:\n" + process.tail(30));
            }
            Thread.sleep(250);
        }
    }

    private boolean ready() {
        if (!portOpen(port)) {
            return false;
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000))) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    private Path writeConfig() throws IOException {
        Files.createDirectories(dataDirectory());
        Properties p = new Properties();
        p.setProperty("process.roles", "broker,controller");
        p.setProperty("node.id", "1");
        p.setProperty("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
        p.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.setProperty("controller.listener.names", "CONTROLLER");
        p.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.setProperty("inter.broker.listener.name", "PLAINTEXT");
        p.setProperty("log.dirs", dataDirectory().toAbsolutePath().toString());
        p.setProperty("num.partitions", "1");
        p.setProperty("offsets.topic.replication.factor", "1");
        p.setProperty("offsets.topic.num.partitions", "4");
        p.setProperty("transaction.state.log.replication.factor", "1");
        p.setProperty("transaction.state.log.min.isr", "1");
        p.setProperty("group.initial.rebalance.delay.ms", "0");
        // The learner creates the project's topics with their partitioning; a typo must not create one.
        p.setProperty("auto.create.topics.enable", "false");
        Path file = home.resolve("server.properties");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            p.store(out, "Tendon local broker (generated; edit the launcher, not this file)");
        }
        return file;
    }

    private void format(Path config) throws IOException, InterruptedException {
        ManagedProcess formatter = ManagedProcess.start("kafka-storage-format",
                javaCommand("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c",
                        config.toString(), "--standalone"),
                home, home.resolve("kafka-format.log"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (formatter.alive() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        int exit = formatter.stop(5);
        if (exit != 0) {
            throw new IllegalStateException("formatting the Kafka storage failed (exit " + exit + "):\n"
                    + formatter.tail(20));
        }
    }

    private static List<String> javaCommand(String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            // Its own session: Ctrl-C reaches only the launcher, which stops the broker last.
            command.add("/usr/bin/setsid");
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.add("-Djava.util.logging.manager=org.jboss.logmanager.LogManager");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(List.of(args));
        return command;
    }

    static boolean portOpen(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Controlled shutdown (SIGTERM lets the broker close its logs cleanly). */
    void stop() {
        if (process != null) {
            process.stop(60);
        }
    }

    boolean running() {
        return process != null && process.alive();
    }

    String tail(int lines) {
        return process == null ? "" : process.tail(lines);
    }
}
