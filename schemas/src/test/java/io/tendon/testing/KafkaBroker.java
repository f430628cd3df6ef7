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
    private final Map<String, Object> security;

    private KafkaBroker(KafkaClusterTestKit cluster, Path dataDirectory, Map<String, Object> security) {
        this.cluster = cluster;
        this.dataDirectory = dataDirectory;
        this.security = security;
    }

    /**
     * The application's user on a {@link #startSasl()} broker: a SCRAM-SHA-512 credential created
     * through the admin API, as Strimzi's KafkaUser does in production (k8s/base/kafka).
     */
    public static final String SCRAM_USER = "tendon-app";
    public static final String SCRAM_PASSWORD = "tendon-app-secret";

    /**
     * A private broker whose client listener requires SASL (SASL_PLAINTEXT) with SCRAM-SHA-512 for
     * the application ({@link #SCRAM_USER}) and PLAIN for the test kit's own super user
     * {@code plain-admin} (the kit's brokers talk to each other and to the controller with it). A
     * client without credentials gets no metadata, one with a wrong password an authentication
     * error. {@link #admin()} and {@link #clientConfig()} authenticate as the admin. The caller
     * closes it.
     */
    public static KafkaBroker startSasl() {
        KafkaBroker broker = start(org.apache.kafka.common.security.auth.SecurityProtocol.SASL_PLAINTEXT);
        // The kit runs an authorizer (nothing allowed without an ACL, plain-admin is a super user):
        // the application's user may use every topic, group and transactional id, as a site would grant.
        try (Admin admin = broker.admin()) {
            admin.alterUserScramCredentials(List.of(new org.apache.kafka.clients.admin.UserScramCredentialUpsertion(
                    SCRAM_USER, new org.apache.kafka.clients.admin.ScramCredentialInfo(
                            org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, 8192),
                    SCRAM_PASSWORD))).all().get();
            String user = "User:" + SCRAM_USER;
            java.util.List<org.apache.kafka.common.acl.AclBinding> acls = new java.util.ArrayList<>();
            for (org.apache.kafka.common.resource.ResourceType type : java.util.List.of(
                    org.apache.kafka.common.resource.ResourceType.TOPIC, org.apache.kafka.common.resource.ResourceType.GROUP,
                    org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID)) {
                acls.add(new org.apache.kafka.common.acl.AclBinding(new org.apache.kafka.common.resource.ResourcePattern(type,
                        "*", org.apache.kafka.common.resource.PatternType.LITERAL),
                        new org.apache.kafka.common.acl.AccessControlEntry(user, "*",
                                org.apache.kafka.common.acl.AclOperation.ALL,
                                org.apache.kafka.common.acl.AclPermissionType.ALLOW)));
            }
            acls.add(new org.apache.kafka.common.acl.AclBinding(new org.apache.kafka.common.resource.ResourcePattern(
                    org.apache.kafka.common.resource.ResourceType.CLUSTER, "kafka-cluster",
                    org.apache.kafka.common.resource.PatternType.LITERAL),
                    new org.apache.kafka.common.acl.AccessControlEntry(user, "*",
                            org.apache.kafka.common.acl.AclOperation.IDEMPOTENT_WRITE,
                            org.apache.kafka.common.acl.AclPermissionType.ALLOW)));
            admin.createAcls(acls).all().get();
        } catch (Exception e) {
            broker.close();
            throw new IllegalStateException("could not create the SASL test user's SCRAM credential and ACLs", e);
        }
        return broker;
    }

    /** Client properties that authenticate to a {@link #startSasl()} broker as {@code user} with SCRAM-SHA-512. */
    public static Map<String, Object> saslScram(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config",
                "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
    }

    private static Map<String, Object> saslPlain(String user, String password) {
        return Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN", "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\""
                        + password + "\";");
    }

    /** The JVM's broker, started on first use and stopped when the JVM exits. */
    public static synchronized KafkaBroker shared() {
        if (shared == null) {
            shared = start(null);
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
        return start(null);
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

    private static KafkaBroker start(org.apache.kafka.common.security.auth.SecurityProtocol protocol) {
        try {
            // tendon.test.kafka.dir: where the broker keeps its log (benchmarks put it on tmpfs,
            // so the kernel's writeback of gigabytes of test data does not stall the broker).
            String base = System.getProperty("tendon.test.kafka.dir", "");
            Path dir = base.isBlank() ? Files.createTempDirectory("tendon-kafka-")
                    : Files.createTempDirectory(Path.of(base), "tendon-kafka-");
            TestKitNodes.Builder builder = new TestKitNodes.Builder();
            if (protocol != null) {
                builder.setBrokerSecurityProtocol(protocol);
                builder.setControllerSecurityProtocol(protocol);
            }
            TestKitNodes nodes = builder
                    .setCombined(true)
                    .setNumBrokerNodes(1)
                    .setNumControllerNodes(1)
                    .setBaseDirectory(dir)
                    .build();
            KafkaClusterTestKit.Builder kit = new KafkaClusterTestKit.Builder(nodes);
            if (protocol != null) {
                // The kit enables PLAIN only (with putIfAbsent, so this wins); SCRAM's server side
                // needs no login options, only its mechanism enabled on the client listener.
                kit.setConfigProp("sasl.enabled.mechanisms", "PLAIN,SCRAM-SHA-512");
                kit.setConfigProp("listener.name." + nodes.brokerListenerName().value().toLowerCase(java.util.Locale.ROOT)
                        + ".scram-sha-512.sasl.jaas.config", "org.apache.kafka.common.security.scram.ScramLoginModule required;");
            }
            KafkaClusterTestKit cluster = kit
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
            return new KafkaBroker(cluster, dir, protocol == null ? Map.of() : saslPlain("plain-admin", "plain-admin-secret"));
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
        props.putAll(security);
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
        Map<String, Object> c = new java.util.HashMap<>(security);
        c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Duration.ofSeconds(10).toMillis());
        return Map.copyOf(c);
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
