package io.tendon.edge.grpc;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Multi;
import io.tendon.edge.bridge.GrpcRobotLink;
import io.tendon.edge.runtime.ControlService;
import io.tendon.schemas.v1.RobotBridge;
import io.tendon.schemas.v1.RobotCommand;
import io.tendon.schemas.v1.RobotState;
import jakarta.inject.Inject;

/** gRPC RobotBridge: a robot-side driver's state stream in, commands out (tendon.edge.bridge=grpc). */
@GrpcService
public class RobotBridgeService implements RobotBridge {

    @Inject
    ControlService control;

    @Override
    public Multi<RobotCommand> connect(Multi<RobotState> request) {
        GrpcRobotLink link = control.robotLink();
        if (link == null) {
            return Multi.createFrom().failure(Status.FAILED_PRECONDITION
                    .withDescription("this edge drives the simulator (tendon.edge.bridge=" + control.bridgeName()
                            + "); set tendon.edge.bridge=grpc to accept a robot driver")
                    .asRuntimeException());
        }
        return link.connect(request);
    }
}
