package io.tendon.learner.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while the ingest thread keeps polling (a poll never blocks longer than its timeout), or is
 * writing a replay checkpoint that began less than {@link #MAX_CHECKPOINT} ago (a large replay
 * takes a while to write, and the thread does not poll meanwhile).
 */
@Liveness
@ApplicationScoped
public class IngestHealthCheck implements HealthCheck {

    static final Duration MAX_SILENCE = Duration.ofSeconds(60);
    static final Duration MAX_CHECKPOINT = Duration.ofMinutes(30);

    @Inject
    IngestService ingest;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("transition-ingest")
                .status(ingest.healthy(MAX_SILENCE, MAX_CHECKPOINT))
                .build();
    }
}
