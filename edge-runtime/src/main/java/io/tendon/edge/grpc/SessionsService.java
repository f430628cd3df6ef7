package io.tendon.edge.grpc;

import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.tendon.schemas.v1.Ack;
import io.tendon.schemas.v1.PreemptRequest;
import io.tendon.schemas.v1.SessionKind;
import io.tendon.schemas.v1.SessionsGrpc;
import jakarta.inject.Inject;

/** gRPC Sessions: an operator pre-empts the teleop or robot-driver session (its stream gets ABORTED). */
@GrpcService
public class SessionsService extends SessionsGrpc.SessionsImplBase {

    @Inject
    SessionSupervisor sessions;

    @Override
    public void preempt(PreemptRequest request, StreamObserver<Ack> response) {
        String by = EdgeAccess.caller();
        boolean ended;
        if (request.getKind() == SessionKind.TELEOP) {
            ended = sessions.preemptTeleop(by, request.getReason());
        } else if (request.getKind() == SessionKind.ROBOT_DRIVER) {
            ended = sessions.preemptDriver(by, request.getReason());
        } else {
            response.onNext(Ack.newBuilder().setAccepted(false).setReason("kind must be TELEOP or ROBOT_DRIVER").build());
            response.onCompleted();
            return;
        }
        response.onNext(ended ? Ack.newBuilder().setAccepted(true).build()
                : Ack.newBuilder().setAccepted(false).setReason("no " + request.getKind() + " session is open").build());
        response.onCompleted();
    }
}
