package io.tendon.learner.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.LearnerTestConfig;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.replay.Fixtures;
import io.tendon.schemas.v1.Source;
import io.tendon.schemas.v1.Transition;
import io.tendon.testing.Transitions;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One refusal per rule, each with the reason it is counted under and a detail naming the field. */
class TransitionValidatorTest {

    private static final LearnerConfig CONFIG = LearnerTestConfig.of();
    private static final long NOW = System.currentTimeMillis() * 1_000_000L;
    private final TransitionValidator validator = new TransitionValidator(CONFIG.layout(), 300, 100_000, () -> NOW);

    private Rejection check(Transition t, String key) {
        return validator.check(Fixtures.decode(t, CONFIG.layout()), key == null ? null
                : key.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aValidTransitionPasses() {
        Transition good = Transitions.valid("robot-1", "ep-1", 0).build();
        assertNull(check(good, "robot-1"));
        assertNull(check(good, null), "no key (a demonstration file)");
        assertNull(check(good.toBuilder().setSource(Source.DEMO).clearPolicyChunk().build(), "robot-1"),
                "a demonstration needs no policy chunk");
    }

    @Test
    void everyRuleRefusesWithItsReason() {
        Transition good = Transitions.valid("robot-1", "ep-1", 0).build();
        Map<Transition, String[]> cases = new LinkedHashMap<>();
        cases.put(good.toBuilder().clearRobotId().build(), new String[] {"MISSING_FIELD", "robot_id"});
        cases.put(good.toBuilder().clearEpisodeId().build(), new String[] {"MISSING_FIELD", "episode_id"});
        cases.put(good.toBuilder().clearLayoutVersion().build(), new String[] {"MISSING_FIELD", "layout_version"});
        cases.put(good.toBuilder().setSourceValue(0).build(), new String[] {"MISSING_FIELD", "source"});
        cases.put(good.toBuilder().setSourceValue(9).build(), new String[] {"MISSING_FIELD", "source"});
        cases.put(good.toBuilder().clearObservation().build(), new String[] {"MISSING_FIELD", "observation"});
        cases.put(good.toBuilder().clearExecutedChunk().build(), new String[] {"MISSING_FIELD", "executed_chunk"});
        cases.put(good.toBuilder().clearNextObservation().build(), new String[] {"MISSING_FIELD", "next_observation"});
        cases.put(good.toBuilder().clearPolicyChunk().build(), new String[] {"MISSING_FIELD", "policy_chunk"});
        cases.put(good.toBuilder().setRobotId("robot 1").build(), new String[] {"BAD_ID", "robot_id"});
        cases.put(good.toBuilder().setRobotId("r".repeat(129)).build(), new String[] {"BAD_ID", "robot_id"});
        cases.put(good.toBuilder().setEpisodeId("ep/1").build(), new String[] {"BAD_ID", "episode_id"});
        cases.put(good.toBuilder().setEpisodeId("épisode").build(), new String[] {"BAD_ID", "episode_id"});
        cases.put(good.toBuilder().setStep(100_000).build(), new String[] {"BAD_ID", "max-episode-steps"});
        cases.put(good.toBuilder().setStep(-1).build(), new String[] {"BAD_ID", "18446744073709551615"});
        cases.put(good.toBuilder().setLayoutVersion(2).build(), new String[] {"LAYOUT_VERSION", "layout_version 2"});
        cases.put(good.toBuilder().setObservation(good.getObservation().toBuilder().addLatent(1f)).build(),
                new String[] {"DIMENSION", "observation.latent has 41 values"});
        cases.put(good.toBuilder().setNextObservation(good.getNextObservation().toBuilder().clearWrench()).build(),
                new String[] {"DIMENSION", "next_observation.wrench"});
        cases.put(good.toBuilder().setExecutedChunk(good.getExecutedChunk().toBuilder().setHorizon(8)).build(),
                new String[] {"DIMENSION", "executed_chunk is 8 x 13"});
        cases.put(good.toBuilder().setPolicyChunk(good.getPolicyChunk().toBuilder().addValues(0f)).build(),
                new String[] {"DIMENSION", "policy_chunk.values"});
        cases.put(good.toBuilder().addBaseSamples(Transitions.chunk(0, 0f).toBuilder().setActionDim(7)).build(),
                new String[] {"DIMENSION", "base_samples[0]"});
        cases.put(good.toBuilder().addRewards(0f).build(), new String[] {"DIMENSION", "rewards"});
        cases.put(good.toBuilder().addValidMask(true).build(), new String[] {"DIMENSION", "valid_mask"});
        cases.put(good.toBuilder().clearInterventionMask().build(), new String[] {"DIMENSION", "intervention_mask"});
        cases.put(good.toBuilder().setObservation(good.getObservation().toBuilder().setProprio(2, Float.NaN)).build(),
                new String[] {"NON_FINITE", "observation.proprio[2]"});
        cases.put(good.toBuilder().setNextObservation(good.getNextObservation().toBuilder()
                .setWrench(11, Float.POSITIVE_INFINITY)).build(), new String[] {"NON_FINITE", "next_observation.wrench[11]"});
        cases.put(good.toBuilder().setExecutedChunk(good.getExecutedChunk().toBuilder().setValues(5, Float.NaN)).build(),
                new String[] {"NON_FINITE", "executed_chunk.values[5]"});
        cases.put(good.toBuilder().setPolicyChunk(good.getPolicyChunk().toBuilder().setValues(0, Float.NaN)).build(),
                new String[] {"NON_FINITE", "policy_chunk"});
        cases.put(good.toBuilder().addBaseSamples(Transitions.chunk(0, 0f).toBuilder().setValues(3, Float.NaN)).build(),
                new String[] {"NON_FINITE", "base_samples[0].values[3]"});
        cases.put(good.toBuilder().setRewards(4, Float.NEGATIVE_INFINITY).build(), new String[] {"NON_FINITE", "rewards[4]"});
        cases.put(good.toBuilder().setStartTimeUnixNanos(5).build(), new String[] {"BAD_TIMESTAMP", "start_time"});
        cases.put(good.toBuilder().setStartTimeUnixNanos(NOW + 301_000_000_000L).setPublishTimeUnixNanos(0).build(),
                new String[] {"BAD_TIMESTAMP", "start_time"});
        cases.put(good.toBuilder().setPublishTimeUnixNanos(good.getStartTimeUnixNanos() - 1).build(),
                new String[] {"BAD_TIMESTAMP", "publish_time"});
        for (Map.Entry<Transition, String[]> c : cases.entrySet()) {
            Rejection r = check(c.getKey(), null);
            String[] want = c.getValue();
            assertTrue(r != null, "refused: " + want[1]);
            assertEquals(DeadLetterReason.valueOf(want[0]), r.reason(), r.detail());
            assertTrue(r.detail().contains(want[1]), r.detail() + " names " + want[1]);
        }
        Rejection key = check(good, "robot-2");
        assertEquals(DeadLetterReason.BAD_ID, key.reason());
        assertTrue(key.detail().contains("record key 'robot-2'"), key.detail());
    }
}
