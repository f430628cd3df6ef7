package io.tendon.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The local main job as a user runs it: a broker process and the two packaged services,
 * checked from outside with Kafka's own topic tool and their HTTP endpoints. Ports differ from the defaults so
 * a developer's own local run is not disturbed.
 */
class LocalStackIT {

    private static final int KAFKA = 19192;
    private static final int LEARNER = 18190;
    private static final int EDGE = 18180;
    private static LocalStack stack;

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("tendon.local.root", "..")).toAbsolutePath().normalize();
        stack = new LocalStack(root.resolve("learner/target/local-it"), root, KAFKA, KAFKA + 1, LEARNER, EDGE);
        stack.start();
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    void kafkasOwnTopicToolListsTheProjectsTopicsOnTheLocalBroker() throws Exception {
        // Kafka's own tooling (kafka-tools, on this test's class path), in a JVM of its own: it exits when done.
        Process tool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "org.apache.kafka.tools.TopicCommand",
                "--bootstrap-server", "127.0.0.1:" + KAFKA, "--list").redirectErrorStream(true).start();
        String out = new String(tool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(tool.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, tool.exitValue(), out);
        for (String topic : new String[] {"tendon.transitions", "tendon.transitions.dlq", "tendon.policy-updates",
                "tendon.episode-events"}) {
            assertTrue(out.lines().anyMatch(topic::equals), topic + " in\n" + out);
        }
    }

    @Test
    void transitionsTheSimulatedRobotRecordsAreCountedByTheLearner() throws Exception {
        // The edge drives the simulator with the scripted expert and publishes its demonstrations.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        double delivered = 0;
        double accepted = 0;
        while (System.nanoTime() < deadline && (delivered < 3 || accepted < 3)) {
            Thread.sleep(500);
            delivered = LocalStack.metric(stack.scrape(EDGE), "tendon_edge_transitions_delivered_total");
            accepted = LocalStack.metric(stack.scrape(LEARNER), "tendon_learner_transitions_accepted_total");
        }
        assertTrue(delivered >= 3, "edge delivered " + delivered);
        assertTrue(accepted >= 3, "learner accepted " + accepted);
        assertEquals(0.0, LocalStack.metric(stack.scrape(LEARNER), "tendon_learner_dead_letters_total"),
                "the edge's transitions match the learner's layout");
        java.util.regex.Matcher demo = java.util.regex.Pattern
                .compile("(?m)^tendon_learner_transitions_accepted_total\\{source=\"DEMO\",?\\} ([0-9.eE+]+)$")
                .matcher(stack.scrape(LEARNER));
        assertTrue(demo.find() && Double.parseDouble(demo.group(1)) >= 3, "the expert's demonstrations count as DEMO");
    }

    @Test
    void bothServicesAnswerHealthAndPrometheusMetrics() throws IOException {
        for (int port : new int[] {LEARNER, EDGE}) {
            String metrics = stack.scrape(port);
            assertTrue(metrics.contains("# TYPE jvm_memory_used_bytes gauge"), "Prometheus text from port " + port);
        }
        assertTrue(stack.scrape(LEARNER).contains("tendon_learner_dead_letters_total"));
        assertTrue(stack.scrape(EDGE).contains("tendon_edge_transitions_delivered_total"));
    }
}
