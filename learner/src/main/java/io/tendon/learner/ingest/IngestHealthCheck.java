package io.tendon.learner.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/** Live while the ingest thread keeps polling (a poll never blocks longer than its timeout). */
@Liveness
@ApplicationScoped
public class IngestHealthCheck implements HealthCheck {

    @Inject
    IngestService ingest;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("transition-ingest")
                .status(ingest.healthy(Duration.ofSeconds(60)))
                .build();
    }
}
