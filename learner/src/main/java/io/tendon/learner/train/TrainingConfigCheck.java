package io.tendon.learner.train;

import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.Stage;
import io.tendon.learner.policy.PolicyBundle;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Rules between training keys that per-key bounds cannot express, checked at start-up; each
 * problem names its keys.
 */
public final class TrainingConfigCheck {

    private TrainingConfigCheck() {
    }

    public static List<String> problems(LearnerConfig config) {
        List<String> problems = new ArrayList<>();
        var critic = config.critic();
        if (critic.targetSubset() > critic.ensembleSize()) {
            problems.add("tendon.critic.target-subset (" + critic.targetSubset() + ") must not exceed"
                    + " tendon.critic.ensemble-size (" + critic.ensembleSize() + ")");
        }
        List<Stage> stages = config.train().stages();
        Set<Stage> seen = new HashSet<>();
        for (int i = 0; i < stages.size(); i++) {
            Stage s = stages.get(i);
            if (s == Stage.DONE) {
                problems.add("tendon.train.stages: DONE is not a stage to run");
            }
            if (!seen.add(s)) {
                problems.add("tendon.train.stages lists " + s + " twice");
            }
        }
        // The online stages run until the learner stops (or for tendon.train.online-steps): they come
        // last, and when both are listed they alternate, one step each.
        boolean onlineSeen = false;
        for (Stage s : stages) {
            boolean online = s == Stage.ONLINE_RESIDUAL || s == Stage.ONLINE_HEAD;
            if (onlineSeen && !online) {
                problems.add("tendon.train.stages: " + s + " comes after an online stage; ONLINE_HEAD and"
                        + " ONLINE_RESIDUAL must come last");
            }
            onlineSeen |= online;
        }
        int online = stages.indexOf(Stage.ONLINE_RESIDUAL);
        int head = stages.indexOf(Stage.ONLINE_HEAD);
        if (head >= 0 && stages.indexOf(Stage.BC_WARMUP) < 0 && config.policy().bundleDir().isEmpty()) {
            problems.add("ONLINE_HEAD improves a head: run BC_WARMUP before it (or set tendon.policy.bundle-dir)");
        }
        int bc = stages.indexOf(Stage.BC_WARMUP);
        boolean bundle = config.policy().bundleDir().isPresent();
        boolean bcMakesBase = bc >= 0 && bc < online && config.train().bcSteps() > 0 && config.bc().replaceBase();
        if (online >= 0 && !bundle && !bcMakesBase) {
            problems.add("ONLINE_RESIDUAL needs a base policy: set tendon.policy.bundle-dir, or run BC_WARMUP before it"
                    + " (tendon.train.bc-steps > 0 and tendon.bc.replace-base=true)");
        }
        var cql = config.cql();
        if (cql.uniformLow() >= cql.uniformHigh()) {
            problems.add("tendon.cql.uniform-low (" + cql.uniformLow() + ") must be below tendon.cql.uniform-high ("
                    + cql.uniformHigh() + ")");
        }
        if (cql.alpha() > 0 && cql.policySamples() + cql.uniformSamples() == 0) {
            problems.add("tendon.cql.alpha > 0 needs tendon.cql.policy-samples or tendon.cql.uniform-samples > 0");
        }
        return problems;
    }

    /** Rules between the training keys and the policy bundle (when there is one). */
    public static List<String> problems(LearnerConfig config, Optional<PolicyBundle> bundle) {
        List<String> problems = new ArrayList<>();
        if (bundle.isEmpty() || bundle.get().hasRunnableHead() || bundle.get().baseFromTransitions()) {
            return problems;
        }
        List<Stage> stages = config.train().stages();
        int online = stages.indexOf(Stage.ONLINE_RESIDUAL);
        int bc = stages.indexOf(Stage.BC_WARMUP);
        boolean bcMakesBase = bc >= 0 && bc < online && config.train().bcSteps() > 0 && config.bc().replaceBase();
        if (online >= 0 && !bcMakesBase) {
            problems.add("ONLINE_RESIDUAL needs a base the learner can use, and the bundle's " + bundle.get().manifest()
                    .getMode() + " policy has no head it can run: declare base_samples_per_transition > 0 in the"
                    + " bundle manifest (the robots then send the base's chunks with each transition), or run"
                    + " BC_WARMUP before ONLINE_RESIDUAL (tendon.train.bc-steps > 0, tendon.bc.replace-base=true)");
        }
        return problems;
    }
}
