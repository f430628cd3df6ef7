package io.tendon.edge.grpc;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.tendon.edge.bridge.TeleopSession;
import io.tendon.edge.runtime.ControlService;
import io.tendon.schemas.v1.InterventionCommand;
import io.tendon.schemas.v1.InterventionSummary;
import io.tendon.schemas.v1.Teleop;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * gRPC Teleop: a person's device streams InterventionCommands; engaged samples override the
 * policy at the next control tick. One stream at a time (the human buffer has one writer). A
 * stream that ends while engaged leaves the person in control: once their targets are older
 * than the watchdog's targets timeout the arm holds, until a new stream sends engaged samples
 * or hands back with engaged = false.
 */
@GrpcService
public class TeleopService implements Teleop {

    private static final Logger LOG = Logger.getLogger(TeleopService.class);

    @Inject
    ControlService control;

    private final AtomicBoolean streaming = new AtomicBoolean();

    @Override
    public Uni<InterventionSummary> intervene(Multi<InterventionCommand> request) {
        if (!streaming.compareAndSet(false, true)) {
            return Uni.createFrom().failure(Status.FAILED_PRECONDITION
                    .withDescription("another teleop stream is active; one at a time").asRuntimeException());
        }
        TeleopSession session = control.newTeleopSession();
        return request.collect()
                .in(() -> session, (s, command) -> {
                    String refusal = s.accept(command);
                    control.countTeleopSample(refusal == null);
                    if (refusal != null) {
                        LOG.debugf("teleop sample refused: %s", refusal);
                    }
                })
                .map(TeleopSession::summary)
                .onTermination().invoke(() -> streaming.set(false));
    }
}
