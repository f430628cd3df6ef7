package io.tendon.learner.ops;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tendon.learner.grpc.TrainingProfile;
import io.tendon.testing.Exposition;
import io.tendon.testing.KafkaBroker;
import io.tendon.testing.KafkaBrokerResource;
import io.tendon.testing.Transitions;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.Yaml;

/**
 * The learner as operators see it, with everything on: ingest from the real broker, replay
 * checkpoints, the trainer through BC warm-up (publishing the head) and the offline critic with
 * its checkpoints. Its {@code /q/metrics} passes {@code promtool check metrics}, its histograms are
 * consistent, and the meters the dashboard and the alerts need are there: consumer lag, checkpoint
 * age, duration and failures of both kinds, trainer step time and failures, publish failures, the
 * time since the last update. Then the Grafana dashboard's queries and the alert rules are checked
 * against what this scrape and the edge's (edge-runtime/target/metrics/edge-runtime.prom) hold.
 */
@QuarkusTest
@TestProfile(LearnerOperationsTest.Profile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LearnerOperationsTest {

    /** The edge's scrape, written by edge-runtime's EdgeOperationsTest (that module's tests run first). */
    static final Path EDGE_SCRAPE = Path.of("..", "edge-runtime", "target", "metrics", "edge-runtime.prom");
    /** Made by Prometheus itself, not by a service. */
    static final Set<String> PROMETHEUS_SERIES = Set.of("up");

    public static final Path SCRAPE = Path.of("target", "metrics", "learner.prom");
    static final Path ROOT = Path.of("target", "ops-test-" + UUID.randomUUID());

    /** Training as in the gRPC tests, plus replay checkpoints every second. */
    public static class Profile extends TrainingProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> m = new HashMap<>(super.getConfigOverrides());
            m.put("tendon.replay.checkpoint.enabled", "true");
            m.put("tendon.replay.checkpoint.directory", ROOT.resolve("replay").toString());
            m.put("tendon.replay.checkpoint.interval-seconds", "1");
            return m;
        }
    }

    private static Exposition scrape() {
        return new Exposition(given().header("Accept", "text/plain; version=0.0.4").get("/q/metrics").then()
                .statusCode(200).extract().asString());
    }

    @Test
    @Order(1)
    void metricsPassPromtoolAndCarryWhatOperatorsNeed() throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaBroker.shared().bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int step = 0; step < 20; step++) {
                p.send(new ProducerRecord<>("tendon.transitions", "arm-ops".getBytes(StandardCharsets.UTF_8),
                        Transitions.valid("arm-ops", "ep-ops-1", step * 16L).build().toByteArray())).get();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        Exposition seen = scrape();
        while (!(seen.value("tendon_learner_updates_published_total", "graph=\"head\"") >= 1
                && seen.value("tendon_learner_checkpoint_duration_seconds_count", "kind=\"training\"") >= 1
                && seen.value("tendon_learner_checkpoint_duration_seconds_count", "kind=\"replay\"") >= 1
                && seen.value("tendon_learner_transitions_accepted_total", "source=\"ROLLOUT\"") >= 20
                && seen.names().contains("kafka_consumer_fetch_manager_records_lag"))) {
            assertTrue(System.nanoTime() < deadline, "a published head, checkpoints of both kinds, 20 transitions"
                    + " and the ingest consumer's lag in:\n" + String.join("\n", seen.names()));
            Thread.sleep(1000);
            seen = scrape();
        }
        Exposition e = scrape();
        e.write(SCRAPE);

        assertTrue(e.assertHistogramsConsistent() >= 4, "histogram families");
        for (String name : List.of("tendon_learner_train_step_duration_seconds_bucket",
                "tendon_learner_train_step_failures_total", "tendon_learner_publish_failures_total",
                "tendon_learner_publish_age_seconds", "tendon_learner_checkpoint_age_seconds",
                "tendon_learner_checkpoint_failures_total", "tendon_learner_checkpoint_duration_seconds_bucket",
                "tendon_learner_experience_to_replay_seconds_bucket", "tendon_learner_replay_rate_limiter_wait_seconds_bucket",
                "tendon_learner_export_refused_total", "tendon_learner_stage", "tendon_learner_train_loss",
                "kafka_consumer_fetch_manager_records_lag_max", "kafka_producer_record_error_total")) {
            assertTrue(e.names().contains(name), name + " missing from /q/metrics");
        }
        assertFalse(e.text().contains("quantile=\""), "no client-side quantiles: histograms sum across learners");
        assertEquals(0.0, e.value("tendon_learner_train_step_failures_total"));
        assertEquals(0.0, e.value("tendon_learner_publish_failures_total", "stage=\"send\""));
        assertTrue(e.value("tendon_learner_publish_age_seconds") < 120, "the head went out moments ago");
        assertTrue(e.value("tendon_learner_checkpoint_age_seconds", "kind=\"replay\"") < 60);
        assertTrue(e.value("kafka_consumer_fetch_manager_records_lag", "client_id=\"learner-0-ingest\"",
                "topic=\"tendon.transitions\"") >= 0, "the ingest consumer's lag per partition");
        e.assertPromtoolAccepts();
    }

    /** Both services' scrapes: this test's and the edge module's. */
    private static Set<String> exported() throws Exception {
        Assumptions.assumeTrue(Files.isRegularFile(SCRAPE), "the learner's scrape (the first test of this class)");
        Assumptions.assumeTrue(Files.isRegularFile(EDGE_SCRAPE),
                "the edge's scrape: run edge-runtime's tests first (mvn verify does), " + EDGE_SCRAPE);
        Set<String> names = new TreeSet<>(new Exposition(Files.readString(SCRAPE)).names());
        names.addAll(new Exposition(Files.readString(EDGE_SCRAPE)).names());
        return names;
    }

    @Test
    @Order(2)
    void everyDashboardQueryReadsMetricsTheServicesExport() throws Exception {
        Set<String> exported = exported();
        JsonObject dashboard = JsonParser.parseString(Files.readString(Path.of("..", "k8s", "monitoring",
                "grafana-dashboard.json"))).getAsJsonObject();
        List<String> queries = new ArrayList<>();
        for (JsonElement v : dashboard.getAsJsonObject("templating").getAsJsonArray("list")) {
            JsonObject variable = v.getAsJsonObject();
            if (variable.has("query") && variable.get("query").isJsonObject()) {
                queries.add(variable.getAsJsonObject("query").get("query").getAsString());
            }
        }
        int panels = 0;
        for (JsonElement p : dashboard.getAsJsonArray("panels")) {
            JsonObject panel = p.getAsJsonObject();
            if (panel.get("type").getAsString().equals("row")) {
                assertTrue(panel.getAsJsonArray("panels").isEmpty(), "rows are expanded: panels at top level");
                continue;
            }
            panels++;
            assertTrue(panel.getAsJsonArray("targets").size() > 0, panel.get("title").getAsString());
            for (JsonElement t : panel.getAsJsonArray("targets")) {
                queries.add(t.getAsJsonObject().get("expr").getAsString());
            }
        }
        assertTrue(panels >= 25, "panels: " + panels);
        Set<String> missing = new TreeSet<>();
        int names = 0;
        for (String query : queries) {
            Set<String> read = PromQl.metricNames(query);
            assertFalse(read.isEmpty(), "no metric in " + query);
            names += read.size();
            for (String name : read) {
                if (!exported.contains(name)) {
                    missing.add(name + "   in   " + query);
                }
            }
        }
        assertTrue(missing.isEmpty(), "dashboard queries read metrics no service exports:\n" + String.join("\n", missing));
        assertTrue(names >= queries.size());
    }

    @Test
    @Order(3)
    void everyAlertReadsMetricsTheServicesExport() throws Exception {
        Set<String> exported = exported();
        Map<String, Object> rule = new Yaml().load(Files.readString(Path.of("..", "k8s", "monitoring", "prometheus-rule.yaml")));
        Set<String> missing = new TreeSet<>();
        int alerts = 0;
        for (Object group : (List<?>) ((Map<?, ?>) rule.get("spec")).get("groups")) {
            for (Object r : (List<?>) ((Map<?, ?>) group).get("rules")) {
                String expr = String.valueOf(((Map<?, ?>) r).get("expr"));
                alerts++;
                for (String name : PromQl.metricNames(expr)) {
                    if (!exported.contains(name) && !PROMETHEUS_SERIES.contains(name)) {
                        missing.add(name + "   in   " + ((Map<?, ?>) r).get("alert"));
                    }
                }
            }
        }
        assertTrue(alerts >= 10, "alerts: " + alerts);
        assertTrue(missing.isEmpty(), "alerts read metrics no service exports:\n" + String.join("\n", missing));
    }

    /** The README's "What to watch" (Deploying): every meter it names is one the services export. */
    @Test
    @Order(4)
    void everyMetricTheReadmeNamesIsExported() throws Exception {
        Set<String> exported = exported();
        String readme = Files.readString(Path.of("..", "README.md"));
        int start = readme.indexOf("**What to watch.**");
        int end = readme.indexOf("**Logs.**", start);
        assertTrue(start >= 0 && end > start, "README: What to watch, then Logs");
        java.util.regex.Matcher name = java.util.regex.Pattern.compile("\\b((?:tendon|kafka)_[a-z0-9_]*[a-z0-9])\\b")
                .matcher(readme.substring(start, end));
        Set<String> missing = new TreeSet<>();
        int names = 0;
        while (name.find()) {
            names++;
            String n = name.group(1);
            if (!exported.contains(n) && !exported.contains(n + "_bucket")) {
                missing.add(n);
            }
        }
        assertTrue(names >= 30, "names: " + names);
        assertTrue(missing.isEmpty(), "the README names metrics no service exports: " + missing);
    }
}
