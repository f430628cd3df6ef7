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
 * checked from outside with kcat and their HTTP endpoints. Ports differ from the defaults so
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
    void kcatListsTheProjectsTopicsOnTheLocalBroker() throws Exception {
        Process kcat = new ProcessBuilder("kcat", "-b", "127.0.0.1:" + KAFKA, "-L").redirectErrorStream(true).start();
        String out = new String(kcat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(kcat.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, kcat.exitValue(), out);
        for (String topic : new String[] {"tendon.transitions", "tendon.transitions.dlq", "tendon.policy-updates",
                "tendon.episode-events"}) {
            assertTrue(out.contains("topic \"" + topic + "\""), topic + " in\n" + out);
        }
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
