package io.tendon.learner.replay;

import io.micrometer.core.instrument.MeterRegistry;
import io.tendon.learner.config.LearnerConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** Makes the one ReplayBuffer of the application injectable (ingest fills it, training samples it). */
@ApplicationScoped
public class ReplayProducer {

    @Produces
    @Singleton
    ReplayBuffer replayBuffer(LearnerConfig config, MeterRegistry registry) {
        return new ReplayBuffer(config, registry);
    }
}
