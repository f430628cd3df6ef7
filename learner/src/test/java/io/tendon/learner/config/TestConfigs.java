package io.tendon.learner.config;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.validator.BeanValidationConfigValidator;
import jakarta.validation.Validation;
import jakarta.validation.Validator;
import java.util.Map;
import org.hibernate.validator.messageinterpolation.ParameterMessageInterpolator;

/** The real {@link LearnerConfig} mapping, defaults and bounds checks included, outside Quarkus. */
public final class TestConfigs {

    private static final Validator VALIDATOR = Validation.byDefaultProvider().configure()
            .messageInterpolator(new ParameterMessageInterpolator()).buildValidatorFactory().getValidator();

    private TestConfigs() {
    }

    /** The mapping with these {@code tendon.*} values over the defaults; invalid values throw, naming the key. */
    public static LearnerConfig learner(Map<String, String> values) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withMapping(LearnerConfig.class)
                .withSources(new PropertiesConfigSource(values, "test", 500))
                .withValidator((BeanValidationConfigValidator) () -> VALIDATOR)
                .build();
        return config.getConfigMapping(LearnerConfig.class);
    }
}
