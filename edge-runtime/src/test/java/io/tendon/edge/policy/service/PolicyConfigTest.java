package io.tendon.edge.policy.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.validator.BeanValidationConfigValidator;
import io.tendon.edge.policy.ExecutionProvider;
import io.tendon.edge.policy.OptimisationLevel;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.util.Map;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every tendon.policy.* key is checked at start-up the way Quarkus checks it (the mapping with
 * Bean Validation): each invalid value is refused with an error that names the key.
 */
class PolicyConfigTest {

    private static final Validator VALIDATOR = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();

    static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .withMapping(PolicyConfig.class)
                .withValidator((BeanValidationConfigValidator) () -> VALIDATOR)
                .build();
    }

    @Test
    void defaultsNeedNoBundle() {
        PolicyConfig c = config(Map.of()).getConfigMapping(PolicyConfig.class);
        assertFalse(c.bundleDir().isPresent(), "no bundle by default: the service runs without a policy");
        assertEquals(ExecutionProvider.CPU, c.executionProvider());
        assertEquals(1, c.intraOpThreads());
        assertEquals(OptimisationLevel.ALL, c.optimisationLevel());
        assertEquals(100, c.maxObservationAgeMs());
        assertTrue(c.autostart());
    }

    @Test
    void valuesAreReadInTheirUnits() {
        PolicyConfig c = config(Map.of(
                "tendon.policy.bundle-dir", "/opt/bundles/peg",
                "tendon.policy.execution-provider", "cuda",
                "tendon.policy.cuda-device-id", "1",
                "tendon.policy.optimisation-level", "extended",
                "tendon.policy.policy-rate-hz", "25.5",
                "tendon.policy.ensemble-decay", "0.2",
                "tendon.policy.noise-seed", "-7")).getConfigMapping(PolicyConfig.class);
        assertEquals("/opt/bundles/peg", c.bundleDir().get());
        assertEquals(ExecutionProvider.CUDA, c.executionProvider());
        assertEquals(1, c.cudaDeviceId());
        assertEquals(OptimisationLevel.EXTENDED, c.optimisationLevel());
        assertEquals(25.5, c.policyRateHz().get());
        assertEquals(0.2, c.ensembleDecay().get());
        assertEquals(-7L, c.noiseSeed().get());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({
        "tendon.policy.bundle-dir, ' '",
        "tendon.policy.execution-provider, tpu",
        "tendon.policy.cuda-device-id, -1",
        "tendon.policy.cuda-device-id, 64",
        "tendon.policy.intra-op-threads, 0",
        "tendon.policy.intra-op-threads, 65",
        "tendon.policy.optimisation-level, maximal",
        "tendon.policy.warmup-runs, -1",
        "tendon.policy.warmup-runs, 10001",
        "tendon.policy.policy-rate-hz, 0",
        "tendon.policy.policy-rate-hz, 4001",
        "tendon.policy.policy-rate-hz, fast",
        "tendon.policy.ensemble-decay, -0.1",
        "tendon.policy.ensemble-decay, 101",
        "tendon.policy.noise-seed, 1.5",
        "tendon.policy.max-observation-age-ms, 0",
        "tendon.policy.max-observation-age-ms, 10001",
    })
    void anInvalidValueIsRefusedNamingTheKey(String key, String value) {
        Exception e = assertThrows(Exception.class, () -> config(Map.of(key, value)).getConfigMapping(PolicyConfig.class));
        String message = e.getMessage();
        assertTrue(message.contains(key), "the error must name " + key + ": " + message);
    }
}
