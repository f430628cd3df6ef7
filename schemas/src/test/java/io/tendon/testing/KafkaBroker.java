package io.tendon.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka broker (combined broker and controller) running inside
 * the test JVM, from Kafka's own test kit. One per JVM: starting one costs about 3 s, so
 * every test class of a module shares it; tests isolate themselves with their own topics
 * or consumer groups.
 */
public final class KafkaBroker {

    private static KafkaBroker shared;

    private final KafkaClusterTestKit cluster;
    private final Path dataDirectory;

    private KafkaBroker(KafkaClusterTestKit cluster, Path dataDirectory) {
        this.cluster = cluster;
        this.dataDirectory = dataDirectory;
    }

    /** The JVM's broker, started on first use and stopped when the JVM exits. */
    public static synchronized KafkaBroker shared() {
        if (shared == null) {
            shared = start();
            KafkaBroker broker = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(broker::stop, "kafka-test-broker-stop"));
        }
        return shared;
    }

    /**
     * A broker of the caller's own, for tests that take it away and bring it back; the caller
     * closes it with {@link #close()}.
     */
    public static KafkaBroker startPrivate() {
        return start();
    }

    /** Stops the broker server (the controller stays up); clients see the broker go away. */
    public void shutdownBroker() {
        cluster.brokers().values().forEach(b -> b.shutdown());
    }

    /** Starts the broker server again on the same port and data; clients reconnect. */
    public void startBroker() {
        try {
            cluster.brokers().values().forEach(b -> b.startup());
            cluster.waitForReadyBrokers();
        } catch (Exception e) {
            throw new IllegalStateException("could not restart the broker", e);
        }
    }

    /** Stops and deletes a private broker. */
    public void close() {
        stop();
    }

    private static KafkaBroker start() {
        try {
            // tendon.test.kafka.dir: where the broker keeps its log (benchmarks put it on tmpfs,
            // so the kernel's writeback of gigabytes of test data does not stall the broker).
            String base = System.getProperty("tendon.test.kafka.dir", "");
            Path dir = base.isBlank() ? Files.createTempDirectory("tendon-kafka-")
                    : Files.createTempDirectory(Path.of(base), "tendon-kafka-");
            TestKitNodes nodes = new TestKitNodes.Builder()
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(dir)
                    .build();
            KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                    .setConfigProp("offsets.topic.replication.factor", "1")
                    .setConfigProp("offsets.topic.num.partitions", "4")
                    .setConfigProp("transaction.state.log.replication.factor", "1")
                    .setConfigProp("transaction.state.log.min.isr", "1")
                    .setConfigProp("group.initial.rebalance.delay.ms", "0")
                    .setConfigProp("auto.create.topics.enable", "true")
                    .setConfigProp("num.partitions", "1")
                    .setDeleteOnClose(true)
                    .build();
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return new KafkaBroker(cluster, dir);
        } catch (Exception e) {
            throw new IllegalStateException("could not start the in-process Kafka broker", e);
        }
    }

    /** host:port of the broker's client listener. */
    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    /** An admin client on this broker; the caller closes it. */
    public Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return Admin.create(props);
    }

    /** Creates topics with the given partition count; existing topics are left as they are. */
    public void createTopics(int partitions, Collection<String> names) {
        try (Admin admin = admin()) {
            List<NewTopic> topics = names.stream().map(n -> new NewTopic(n, partitions, (short) 1)).toList();
            try {
                admin.createTopics(topics).all().get();
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException("could not create topics " + names, e);
        }
    }

    public void createTopics(int partitions, String... names) {
        createTopics(partitions, List.of(names));
    }

    /** Client properties (bootstrap servers) for a producer or consumer on this broker. */
    public Map<String, Object> clientConfig() {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(10).toMillis());
    }

    private synchronized void stop() {
        try {
            cluster.close();
        } catch (Exception e) {
            // The JVM is exiting; a broker that fails to close leaves only a temp directory.
            System.err.println("in-process Kafka broker did not close cleanly: " + e);
        }
    }
}
