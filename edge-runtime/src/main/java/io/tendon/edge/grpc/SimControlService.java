package io.tendon.edge.grpc;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.tendon.schemas.update.UpdateRefusedException;
import io.tendon.schemas.v1.SimControl;
import io.tendon.schemas.v1.SimEvaluateRequest;
import io.tendon.schemas.v1.SimEvaluation;
import io.tendon.schemas.v1.SimStatus;
import io.tendon.schemas.v1.SimStatusRequest;
import jakarta.inject.Inject;
import java.io.IOException;

/**
 * The simulator's episode plan over gRPC: start an evaluation on held-out seeds, read the
 * counts. Holding a policy version may build a runtime: the calls run on a worker thread.
 */
@GrpcService
public class SimControlService implements SimControl {

    @Inject
    SimSession session;

    @Override
    @Blocking
    public Uni<SimEvaluation> evaluate(SimEvaluateRequest request) {
        try {
            return Uni.createFrom().item(session.evaluate(request.getLabel(), request.getEpisodes(),
                    request.getFirstSeed(), request.getPolicyVersion()));
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException());
        } catch (IllegalStateException | UpdateRefusedException | IOException e) {
            return Uni.createFrom().failure(Status.FAILED_PRECONDITION.withDescription(e.getMessage())
                    .asRuntimeException());
        }
    }

    @Override
    @Blocking
    public Uni<SimStatus> status(SimStatusRequest request) {
        return Uni.createFrom().item(session.status());
    }
}
