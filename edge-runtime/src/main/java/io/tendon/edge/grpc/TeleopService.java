package io.tendon.edge.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.tendon.schemas.v1.InterventionCommand;
import io.tendon.schemas.v1.InterventionSummary;
import io.tendon.schemas.v1.TeleopGrpc;
import jakarta.inject.Inject;

/**
 * gRPC Teleop: a person's device streams InterventionCommands; engaged samples override the
 * policy at the next control tick. One stream at a time ({@link SessionSupervisor}); it ends when the
 * device half-closes (the summary comes back), cancels or drops, after its lease without samples,
 * or when an operator pre-empts it. A stream that ends while engaged leaves the person in control:
 * once their targets are older than the watchdog's targets timeout the arm holds, until a new stream
 * sends engaged samples or hands back with engaged = false.
 */
@GrpcService
public class TeleopService extends TeleopGrpc.TeleopImplBase {

    @Inject
    SessionSupervisor sessions;

    @Override
    public StreamObserver<InterventionCommand> intervene(StreamObserver<InterventionSummary> responseObserver) {
        return sessions.openTeleop((ServerCallStreamObserver<InterventionSummary>) responseObserver, EdgeAccess.caller());
    }
}
