package io.tendon.learner.ingest;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/**
 * Started once the learner has come up: the trainer restored its checkpoint (it starts first) and
 * ingest restored the replay checkpoint, loaded the demonstration files and started consuming. The
 * HTTP port answers while that restore runs, so without this check {@code /q/health/started} would
 * report UP at once and a liveness probe could kill a learner that is still reading a large
 * checkpoint; Kubernetes runs the liveness probe only after this one passed.
 */
@Startup
@ApplicationScoped
public class IngestStartupCheck implements HealthCheck {

    @Inject
    IngestService ingest;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("learner-started").status(ingest.started()).build();
    }
}
