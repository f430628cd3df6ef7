package io.tendon.learner;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.validator.BeanValidationConfigValidatorImpl;
import io.tendon.learner.config.LearnerConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * The real LearnerConfig mapping, with its bean-validation constraints, built without Quarkus
 * from defaults plus the given overrides: plain JUnit tests construct the learner's parts
 * exactly as the application does.
 */
public final class LearnerTestConfig {

    private LearnerTestConfig() {
    }

    /** Small tables and no waiting, for unit tests; {@code overrides} win. */
    public static LearnerConfig of(Map<String, String> overrides) {
        Map<String, String> p = new HashMap<>();
        p.put("tendon.replay.capacity.demo", "1000");
        p.put("tendon.replay.capacity.intervention", "1000");
        p.put("tendon.replay.capacity.rollout", "1000");
        p.put("tendon.replay.rate-limit.enabled", "false");
        p.put("tendon.replay.rate-limit.min-size-to-sample", "1");
        p.put("tendon.replay.rate-limit.sample-timeout-ms", "0");
        p.putAll(overrides);
        return build(p);
    }

    public static LearnerConfig of(String... keyValues) {
        Map<String, String> p = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.put(keyValues[i], keyValues[i + 1]);
        }
        return of(p);
    }

    /** Defaults plus exactly {@code properties}; throws ConfigValidationException for invalid values. */
    public static LearnerConfig build(Map<String, String> properties) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(LearnerConfig.class)
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withValidator(new BeanValidationConfigValidatorImpl())
                .build();
        return config.getConfigMapping(LearnerConfig.class);
    }
}
