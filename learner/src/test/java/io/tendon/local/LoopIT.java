package io.tendon.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The local main job's quick preset through the real loop, as {@code ./run-local --preset quick}
 * runs it: a broker process, the packaged learner and edge, demonstrations, the BC head signed,
 * published, verified and applied on the edge, online training, held-out evaluations, the report.
 * It does not assert a learning threshold (CI time is limited; that is the loop benchmark): it
 * asserts the mechanics, that nothing was lost, and that the report agrees with the services' own
 * metrics. Ports differ from the defaults so a developer's own local run is not disturbed.
 */
class LoopIT {

    @Test
    void theQuickPresetRunsTheWholeLoopAndReportsWhatTheServicesCounted() throws Exception {
        Path root = Path.of(System.getProperty("tendon.local.root", "..")).toAbsolutePath().normalize();
        Path home = root.resolve("learner/target/loop-it");
        System.setProperty("tendon.local.home", home.toString());
        System.setProperty("tendon.local.kafka-port", "19392");
        System.setProperty("tendon.local.controller-port", "19393");
        System.setProperty("tendon.local.learner-port", "18390");
        System.setProperty("tendon.local.edge-port", "18380");
        long seconds = Long.getLong("tendon.loop-it.seconds", 200);
        LoopRun run = new LoopRun(Preset.quick().withWallSeconds(seconds), 1, true, root);
        assertEquals(0, run.runToEnd(), "the run ends cleanly");

        JsonNode report = new ObjectMapper().readTree(Files.readString(home.resolve("report.json")));
        assertTrue(Files.size(home.resolve("learning-curve.png")) > 10_000, "a plot was drawn");
        assertEquals("quick", report.get("preset").asText());
        assertTrue(report.get("policy_updates_applied").asLong() >= 1,
                "at least the BC head was verified and applied on the edge: " + report);
        assertTrue(report.get("base_policy_version").asLong() >= 1, "the base arm ran a learned head");
        assertEquals(0, report.get("transitions_lost").asDouble(), "nothing lost: " + report);
        assertEquals(0, report.get("transitions_dead_lettered").asDouble(), "nothing dead-lettered");
        assertTrue(report.get("transitions_sent").asDouble() > 1000, "the robot's experience crossed Kafka");
        assertTrue(report.get("training_episodes").asLong() > 0, "the robot trained with the learned policy");
        assertEquals(report.get("demo_episodes").asLong(), Preset.quick().demoEpisodes(), "the planned demonstrations");

        // Evaluations: on held-out seeds, each with the episodes asked for, base and final among them.
        JsonNode evaluations = report.get("evaluations");
        assertTrue(evaluations.size() >= 2, "base and final evaluations: " + evaluations);
        assertEquals("base", evaluations.get(0).get("label").asText());
        assertEquals("final", evaluations.get(evaluations.size() - 1).get("label").asText());
        assertEquals(Preset.quick().finalEpisodes(), evaluations.get(0).get("episodes").asLong(), "base arm finished");
        assertEquals(Preset.quick().finalEpisodes(), report.get("final_episodes").asLong(), "final evaluation finished");
        for (JsonNode e : evaluations) {
            assertTrue(e.get("successes").asLong() <= e.get("episodes").asLong(), e.toString());
        }
        assertEquals(Preset.HELD_OUT_SEED, report.get("seeds").get("held_out_first_seed").asLong());
        assertEquals(evaluations.get(0).get("success_rate").asDouble(), report.get("base_success_rate").asDouble());
        assertEquals(evaluations.get(evaluations.size() - 1).get("success_rate").asDouble(),
                report.get("final_success_rate").asDouble());

        // The loop benchmark's flat JSON (./run-local --bench FILE) comes from the same report.
        Path bench = home.resolve("loop.json");
        LoopRun.writeBench(home.resolve("report.json"), bench);
        JsonNode numbers = new ObjectMapper().readTree(Files.readString(bench));
        for (String key : new String[] {"final_success_rate", "base_success_rate", "transitions_lost", "wall_seconds",
                "env_steps_to_90"}) {
            assertEquals(report.get(key).asDouble(), numbers.get(key).asDouble(), key);
        }

        // The report's counts are the services' own: the edge's delivered counter and the
        // learner's accepted counter, scraped at the end, as kept in the report's per-robot part.
        JsonNode robot = report.get("per_robot").get(0);
        assertEquals(report.get("transitions_sent").asDouble(), robot.get("transitions_sent").asDouble());
        assertTrue(report.get("transitions_ingested").asDouble() >= report.get("transitions_sent").asDouble());
    }
}
