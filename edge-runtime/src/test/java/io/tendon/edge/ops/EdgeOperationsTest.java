package io.tendon.edge.ops;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tendon.edge.logging.LogContextFilter;
import io.tendon.edge.policy.service.PolicyService;
import io.tendon.schemas.v1.PolicyUpdate;
import io.tendon.testing.KafkaBroker;
import io.tendon.testing.KafkaBrokerResource;
import io.tendon.testing.Exposition;
import io.tendon.testing.UpdateSigner;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Filter;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.junit.jupiter.api.Test;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * The edge as operators see it, with everything on: a bundle whose head arrives as a signed update
 * through the real broker, the simulator on the simulated clock, the policy acting, the transition
 * producer and the update consumer running, JSON logging switched on by configuration. Its
 * {@code /q/metrics} passes {@code promtool check metrics}, its histograms are consistent, the
 * meters operators need are there (Kafka client metrics, per-version episodes, latency histograms),
 * and a log line is JSON with a date and the robot, episode and policy version. The scrape is kept
 * in {@code target/metrics/edge-runtime.prom}: the learner's operations test checks the Grafana
 * dashboard and the alert rules against it.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@TestProfile(EdgeOperationsTest.Profile.class)
class EdgeOperationsTest {

    static final UpdateSigner SIGNER = new UpdateSigner();
    static final String UPDATES = "tendon.policy-updates.ops-test";
    static final String TRANSITIONS = "tendon.transitions.ops-test";
    static final String POLICY = "peg-insert";
    static final String ROBOT = "arm-ops";
    /** Where the scrape is kept for the learner module's dashboard and alert checks. */
    public static final Path SCRAPE = Path.of("target", "metrics", "edge-runtime.prom");

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path root = Files.createTempDirectory("tendon-ops");
                Path bundle = Files.createDirectories(root.resolve("bundle"));
                Files.copy(Path.of("src/test/resources/bundles/from-update/manifest.json"), bundle.resolve("manifest.json"));
                SIGNER.writePublicKey(root.resolve("trusted").resolve("learner.pem"));
                KafkaBroker.shared().createTopics(1, List.of(UPDATES, TRANSITIONS));
                Map<String, String> m = new HashMap<>();
                m.put("tendon.policy.bundle-dir", bundle.toString());
                m.put("tendon.edge.clock", "simulated");
                m.put("tendon.edge.robot-id", ROBOT);
                m.put("tendon.edge.topics.policy-updates", UPDATES);
                m.put("tendon.edge.topics.transitions", TRANSITIONS);
                m.put("tendon.edge.updates.trusted-keys", root.resolve("trusted").toString());
                m.put("tendon.edge.updates.cache-dir", root.resolve("cache").toString());
                m.put("quarkus.log.console.json.enabled", "true");
                return m;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    PolicyService policy;

    private static Exposition scrape() {
        return new Exposition(given().header("Accept", "text/plain; version=0.0.4").get("/q/metrics").then()
                .statusCode(200).extract().asString());
    }

    @Test
    void metricsPassPromtoolAndCarryWhatOperatorsNeed() throws Exception {
        publishHead(1);
        await().atMost(Duration.ofSeconds(60)).until(() -> policy.runtime().map(r -> r.version()).orElse(0L) == 1L);
        // Episodes of version 1 end (the head holds still: time-outs), the clients' metrics appear.
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        Exposition seen = scrape();
        while (!(seen.value("tendon_edge_policy_version_episodes_total", "policy_version=\"1\"", "outcome=\"timeout\"") >= 1
                && seen.value("tendon_edge_policy_graph_latency_seconds_count", "graph=\"head\"") > 0
                && seen.names().contains("kafka_producer_request_latency_avg")
                && seen.names().contains("kafka_consumer_fetch_manager_records_lag_max")
                && seen.names().contains("kafka_consumer_fetch_manager_records_lag"))) {
            assertTrue(System.nanoTime() < deadline, "episodes of version 1, head latencies, Kafka client meters in:\n"
                    + String.join("\n", seen.names()));
            Thread.sleep(1000);
            seen = scrape();
        }
        Exposition e = scrape();
        e.write(SCRAPE);

        assertTrue(e.assertHistogramsConsistent() >= 6, "histogram families");
        for (String name : List.of("tendon_edge_control_tick_compute_seconds_bucket",
                "tendon_edge_control_tick_jitter_seconds_bucket", "tendon_edge_policy_graph_latency_seconds_bucket",
                "tendon_edge_policy_inference_latency_seconds_bucket", "tendon_edge_policy_step_latency_seconds_bucket",
                "tendon_edge_policy_updates_publish_to_active_seconds_bucket",
                "tendon_edge_policy_version_steps_total", "tendon_edge_policy_version_intervention_steps_total",
                "tendon_edge_policy_version_episodes_intervened_total", "tendon_edge_policy_updates_verified_total",
                "tendon_edge_policy_updates_rejected_total", "tendon_edge_policy_updates_applied_total",
                "tendon_edge_transitions_delivered_total", "kafka_producer_buffer_available_bytes",
                "kafka_producer_record_error_total", "kafka_consumer_fetch_manager_records_lag")) {
            assertTrue(e.names().contains(name), name + " missing from /q/metrics");
        }
        assertFalse(e.text().contains("quantile=\""), "no client-side quantiles: histograms sum across robots");
        assertEquals(1.0, e.value("tendon_edge_policy_updates_applied_total"));
        assertTrue(e.value("tendon_edge_control_tick_compute_seconds_count")
                >= e.value("tendon_edge_control_tick_compute_seconds_bucket", "le=\"0.001\""));
        e.assertPromtoolAccepts();
    }

    @Test
    void logLinesAreJsonWithDateRobotEpisodeAndPolicyVersion() {
        await().atMost(Duration.ofSeconds(60)).until(() -> !io.tendon.edge.logging.LogContext.episodeId().isEmpty());
        Handler console = consoleHandler(LogContext.getLogContext().getLogger("").getHandlers());
        assertNotNull(console, "a console handler with the JSON formatter");
        Filter filter = console.getFilter(); // quarkus.log.console.filter: ours, possibly inside Quarkus's own
        assertNotNull(filter, "a filter on the console handler");
        ExtLogRecord record = new ExtLogRecord(Level.INFO, "update applied", ExtLogRecord.FormatStyle.NO_FORMAT,
                EdgeOperationsTest.class.getName());
        record.setLoggerName("io.tendon.edge.update.service.UpdateService");
        assertTrue(filter.isLoggable(record));
        String line = console.getFormatter().format(record);
        JsonObject json = JsonParser.parseString(line).getAsJsonObject();
        assertTrue(json.get("timestamp").getAsString().matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}.*"), line);
        assertEquals("update applied", json.get("message").getAsString());
        JsonObject mdc = json.getAsJsonObject("mdc");
        assertEquals(ROBOT, mdc.get(LogContextFilter.ROBOT_ID).getAsString(), line);
        assertTrue(mdc.get(LogContextFilter.EPISODE_ID).getAsString().startsWith("ep-"), line);
        assertTrue(mdc.has(LogContextFilter.POLICY_VERSION), line);
    }

    /** The handler whose formatter writes JSON, looking through Quarkus's wrapping handlers. */
    private static Handler consoleHandler(Handler[] handlers) {
        for (Handler h : handlers) {
            Formatter f = h.getFormatter();
            if (f != null && f.getClass().getName().contains("Json")) {
                return h;
            }
            if (h instanceof ExtHandler ext) {
                Handler found = consoleHandler(ext.getHandlers());
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static void publishHead(long version) throws Exception {
        List<PolicyUpdate> parts = SIGNER.parts(POLICY, version, "head", head(), 64 * 1024);
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.shared().bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (PolicyUpdate part : parts) {
                p.send(new ProducerRecord<>(UPDATES, POLICY.getBytes(StandardCharsets.UTF_8), part.toByteArray())).get();
            }
        }
    }

    /** A head (latent 40, state 24 -> 16 x 13) that holds the arm at (0.5, 0, 0.1) with 500 N/m whatever it sees. */
    private static byte[] head() {
        int latent = 40;
        int state = 24;
        int out = 16 * 13;
        float[] hold = {0.5f, 0, 0.1f, 0, 0, 0, 0.5f, 0, 0.1f, 0, 0, 0, 500};
        ONNXContext ctx = new ONNXContext();
        ONNXPlaceholder z = ctx.floatInput("latent", latent);
        ONNXPlaceholder s = ctx.floatInput("state", state);
        ONNXRef<?> x = ctx.operation(ONNXOperators.CONCAT, List.of(z, s), "x", Map.of("axis", 1));
        var w = ctx.floatTensor("w", List.of(latent + state, out), buf -> {
            for (int i = 0; i < (latent + state) * out; i++) {
                buf.put(0f);
            }
        });
        var b = ctx.floatTensor("b", List.of(out), buf -> {
            for (int i = 0; i < out; i++) {
                buf.put(hold[i % 13]);
            }
        });
        ctx.operation(ONNXOperators.GEMM, List.of(x, w, b), "y", Map.of()).assignTo(ctx.floatOutput("actions", out));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(ctx.buildGraph())
                .addOpsetImport(ONNXOperators.getOpsetProto()).build().toByteArray();
    }
}
