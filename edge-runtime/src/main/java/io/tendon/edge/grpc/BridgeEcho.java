package io.tendon.edge.grpc;

import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.tendon.schemas.v1.RobotCommand;
import io.tendon.schemas.v1.RobotState;

/**
 * {@code tendon.v1.BridgeEcho/Echo} on the bridge listener: every RobotState is answered at once, on
 * the transport thread, with a RobotCommand that carries only its sequence. Nothing else happens, so
 * a driver's round trip through it is the transport's floor on this machine, to hold the bridge's
 * round trip against (the stream benchmark does). Same messages as RobotBridge/Connect; role driver.
 */
final class BridgeEcho {

    static final String SERVICE = "tendon.v1.BridgeEcho";

    static final MethodDescriptor<RobotState, RobotCommand> ECHO = MethodDescriptor.<RobotState, RobotCommand>newBuilder()
            .setType(MethodDescriptor.MethodType.BIDI_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Echo"))
            .setRequestMarshaller(ProtoUtils.marshaller(RobotState.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(RobotCommand.getDefaultInstance()))
            .build();

    private BridgeEcho() {
    }

    static ServerServiceDefinition definition() {
        return ServerServiceDefinition.builder(SERVICE)
                .addMethod(ECHO, ServerCalls.asyncBidiStreamingCall(responses -> new StreamObserver<RobotState>() {
                    @Override
                    public void onNext(RobotState state) {
                        responses.onNext(RobotCommand.newBuilder().setStateSequence(state.getSequence()).build());
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                        responses.onCompleted();
                    }
                }))
                .build();
    }
}
