package io.tendon.edge.grpc;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.tendon.edge.bridge.GrpcRobotLink;
import io.tendon.schemas.v1.RobotBridgeGrpc;
import io.tendon.schemas.v1.RobotCommand;
import io.tendon.schemas.v1.RobotState;

/**
 * gRPC RobotBridge on the bridge listener ({@link BridgeServer}): a robot-side driver's state stream
 * in, commands out, handled by the {@link GrpcRobotLink} on the transport thread.
 */
final class RobotBridgeService extends RobotBridgeGrpc.RobotBridgeImplBase {

    private final GrpcRobotLink link;

    RobotBridgeService(GrpcRobotLink link) {
        this.link = link;
    }

    @Override
    public StreamObserver<RobotState> connect(StreamObserver<RobotCommand> responseObserver) {
        return link.connect((ServerCallStreamObserver<RobotCommand>) responseObserver, EdgeAccess.caller());
    }
}
