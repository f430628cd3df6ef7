package io.tendon.edge.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.edge.publish.TransitionPublisher;
import io.tendon.schemas.v1.EdgeStatus;
import io.tendon.schemas.v1.EdgeStatusRequest;
import io.tendon.schemas.v1.EdgeStatusService;
import jakarta.inject.Inject;

/** What the edge is doing, for operators and the local run. */
@GrpcService
public class EdgeStatusGrpc implements EdgeStatusService {

    @Inject
    EdgeConfig config;

    @Inject
    TransitionPublisher publisher;

    @Override
    public Uni<EdgeStatus> getStatus(EdgeStatusRequest request) {
        EdgeStatus status = EdgeStatus.newBuilder()
                .setRobotId(config.robotId())
                .setTransitionsPublished(publisher.delivered())
                .setTransitionsPending(publisher.pending())
                .build();
        return Uni.createFrom().item(status);
    }
}
