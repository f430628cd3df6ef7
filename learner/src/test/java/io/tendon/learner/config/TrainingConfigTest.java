package io.tendon.learner.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.train.TrainingConfigCheck;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every training key refuses its out-of-bounds values with an error that names it. */
class TrainingConfigTest {

    @Test
    void defaultsAreValid() {
        LearnerConfig config = TestConfigs.learner(Map.of("tendon.policy.bundle-dir", "/bundle"));
        assertEquals(List.of(Stage.BC_WARMUP, Stage.OFFLINE_CRITIC, Stage.ONLINE_RESIDUAL), config.train().stages());
        assertEquals(2, config.critic().ensembleSize());
        assertEquals(0.7, config.value().expectile());
        assertEquals(1e-5, config.export().tolerance());
        assertTrue(TrainingConfigCheck.problems(config).isEmpty(), TrainingConfigCheck.problems(config).toString());
    }

    /** Critic, value, residual and BC share NetworkConfig; each keeps the defaults it had before. */
    @Test
    void eachNetworkHasItsOwnDefaults() {
        LearnerConfig config = TestConfigs.learner(Map.of());
        assertNetwork(config.critic(), true, 3e-4);
        assertNetwork(config.value(), true, 3e-4);
        assertNetwork(config.residual(), false, 3e-4);
        assertNetwork(config.bc(), true, 1e-3);
        assertEquals(0.0, config.critic().weightDecay());
    }

    private static void assertNetwork(NetworkConfig network, boolean layerNorm, double learningRate) {
        assertEquals(List.of(256, 256), network.hidden());
        assertEquals(layerNorm, network.layerNorm());
        assertEquals(learningRate, network.learningRate());
        assertEquals(10.0, network.gradClip());
    }

    /** The shared keys keep their names under each network's prefix, and the bounds declared once hold for all. */
    @ParameterizedTest
    @ValueSource(strings = {"critic", "value", "residual", "bc"})
    void sharedNetworkKeysAreReadAndBoundedUnderEachPrefix(String network) {
        String prefix = "tendon." + network + ".";
        LearnerConfig config = TestConfigs.learner(Map.of(prefix + "hidden", "64,32", prefix + "layer-norm", "true",
                prefix + "learning-rate", "0.5", prefix + "grad-clip", "0"));
        NetworkConfig set = switch (network) {
            case "critic" -> config.critic();
            case "value" -> config.value();
            case "residual" -> config.residual();
            default -> config.bc();
        };
        assertEquals(List.of(64, 32), set.hidden());
        assertTrue(set.layerNorm());
        assertEquals(0.5, set.learningRate());
        assertEquals(0.0, set.gradClip());
        for (String[] invalid : new String[][] {{"hidden", "0"}, {"hidden", "256,9000"}, {"learning-rate", "0"},
                {"learning-rate", "2"}, {"grad-clip", "-1"}, {"grad-clip", "2e6"}}) {
            String key = prefix + invalid[0];
            Exception e = assertThrows(RuntimeException.class, () -> TestConfigs.learner(Map.of(key, invalid[1])));
            assertTrue(e.getMessage().contains(key), key + "=" + invalid[1] + " should be refused by name: " + e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tendon.train.bc-steps|-1", "tendon.train.offline-critic-steps|-1", "tendon.train.online-steps|-5",
        "tendon.train.online-critic-updates|65", "tendon.train.batch-size|0", "tendon.train.batch-size|65537",
        "tendon.train.threads|0", "tendon.train.device|gpu", "tendon.train.idle-wait-ms|0", "tendon.train.stages|WARMUP",
        "tendon.critic.ensemble-size|0", "tendon.critic.ensemble-size|65", "tendon.critic.target-subset|0",
        "tendon.critic.hidden|0", "tendon.critic.hidden|256,9000", "tendon.critic.learning-rate|0",
        "tendon.critic.learning-rate|2", "tendon.critic.weight-decay|-0.1", "tendon.critic.grad-clip|-1",
        "tendon.critic.polyak-tau|1.5", "tendon.critic.gamma|1.01", "tendon.critic.gamma|-0.1",
        "tendon.value.expectile|0", "tendon.value.expectile|1", "tendon.value.learning-rate|0", "tendon.value.hidden|0",
        "tendon.value.grad-clip|-1",
        "tendon.cql.alpha|-1", "tendon.cql.alpha|1001", "tendon.cql.policy-samples|65", "tendon.cql.uniform-samples|-1",
        "tendon.cql.uniform-low|-2e6", "tendon.cql.uniform-high|2e6",
        "tendon.advantage.value-samples|0", "tendon.advantage.value-samples|257", "tendon.advantage.beta|-1",
        "tendon.advantage.max-weight|0.5", "tendon.advantage.mode|SOFT",
        "tendon.residual.hidden|0", "tendon.residual.learning-rate|0", "tendon.residual.lambda|1.5",
        "tendon.residual.lambda|-0.1", "tendon.residual.lambda-ramp-steps|-1", "tendon.residual.margin|-1",
        "tendon.residual.bc-weight|-1", "tendon.residual.reference-dropout|1.1", "tendon.residual.grad-clip|-1",
        "tendon.bc.hidden|0", "tendon.bc.learning-rate|0", "tendon.bc.grad-clip|-1",
        "tendon.policy.threads|0", "tendon.policy.sample-noise-std|11",
        "tendon.export.tolerance|0", "tendon.export.tolerance|0.01", "tendon.export.probe-rows|0",
        "tendon.publish.policy-id|bad id", "tendon.publish.every-steps|-1", "tendon.publish.every-seconds|86401",
        "tendon.publish.max-message-bytes|1000", "tendon.publish.send-timeout-seconds|0",
        "tendon.publish.key-secret-key|a/b", "tendon.publish.dev-key-dir|''", "tendon.publish.version-file|''",
        "tendon.checkpoint.every-steps|-1", "tendon.checkpoint.every-seconds|-1", "tendon.checkpoint.keep|0",
        "tendon.checkpoint.keep|101", "tendon.checkpoint.dir|''"
    })
    void outOfBoundsValuesAreRefusedNamingTheKey(String key, String value) {
        Exception e = assertThrows(RuntimeException.class,
                () -> TestConfigs.learner(Map.of(key, value.equals("''") ? "" : value)).train());
        assertTrue(e.getMessage().contains(key), "error for " + key + "=" + value + " should name the key: " + e.getMessage());
    }

    @Test
    void rulesBetweenKeysAreCheckedAndNamed() {
        List<String> problems = TrainingConfigCheck.problems(TestConfigs.learner(Map.of(
                "tendon.critic.ensemble-size", "2", "tendon.critic.target-subset", "3",
                "tendon.train.stages", "ONLINE_RESIDUAL,BC_WARMUP,BC_WARMUP",
                "tendon.cql.uniform-low", "1", "tendon.cql.uniform-high", "1")));
        String all = String.join("\n", problems);
        assertTrue(all.contains("tendon.critic.target-subset"), all);
        assertTrue(all.contains("BC_WARMUP twice"), all);
        assertTrue(all.contains("ONLINE_RESIDUAL must come last"), all);
        assertTrue(all.contains("tendon.policy.bundle-dir"), all);
        assertTrue(all.contains("tendon.cql.uniform-low"), all);
        assertTrue(TrainingConfigCheck.problems(TestConfigs.learner(Map.of())).isEmpty(),
                "BC warm-up before the online stage makes the base policy");
        assertTrue(!TrainingConfigCheck.problems(TestConfigs.learner(Map.of("tendon.train.bc-steps", "0"))).isEmpty());
    }
}
