package io.tendon.learner.grpc;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** Training on, small networks, the bandit replay, files under target/. */
public class TrainingProfile implements QuarkusTestProfile {

    static final Path ROOT = Path.of("target", "training-test-" + UUID.randomUUID());

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.ofEntries(
                Map.entry("tendon.train.enabled", "true"),
                Map.entry("tendon.train.stages", "BC_WARMUP,OFFLINE_CRITIC"),
                Map.entry("tendon.train.bc-steps", "20"),
                // The bandit holds 3 demonstrations: BC may start on them.
                Map.entry("tendon.bc.min-transitions", "3"),
                Map.entry("tendon.train.offline-critic-steps", "500"),
                Map.entry("tendon.train.batch-size", "24"),
                Map.entry("tendon.critic.hidden", "32,32"),
                Map.entry("tendon.critic.learning-rate", "3e-3"),
                Map.entry("tendon.critic.polyak-tau", "0.02"),
                Map.entry("tendon.value.hidden", "32"),
                Map.entry("tendon.value.learning-rate", "3e-3"),
                Map.entry("tendon.residual.hidden", "16"),
                Map.entry("tendon.bc.hidden", "16"),
                Map.entry("tendon.export.probe-rows", "8"),
                Map.entry("tendon.publish.dev-key-dir", ROOT.resolve("keys").toString()),
                Map.entry("tendon.publish.public-key-file", ROOT.resolve("trusted/policy-signing.pub.pem").toString()),
                Map.entry("tendon.publish.version-file", ROOT.resolve("state/version").toString()),
                Map.entry("tendon.checkpoint.dir", ROOT.resolve("checkpoints").toString()));
    }

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of(BanditTrainingData.class);
    }
}
