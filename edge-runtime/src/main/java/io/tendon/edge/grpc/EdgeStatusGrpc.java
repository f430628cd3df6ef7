package io.tendon.edge.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.edge.control.ControlCounters;
import io.tendon.edge.control.SafetyTrips;
import io.tendon.edge.kafka.TransitionPublisher;
import io.tendon.edge.episode.TransitionRecorder;
import io.tendon.edge.runtime.ControlService;
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

    @Inject
    ControlService control;

    @Inject
    TransitionRecorder recorder;

    @Inject
    SessionSupervisor sessions;

    @Override
    public Uni<EdgeStatus> getStatus(EdgeStatusRequest request) {
        ControlCounters m = control.metrics();
        EdgeStatus.Builder status = EdgeStatus.newBuilder()
                .setRobotId(config.robotId())
                .setBridge(control.bridgeName())
                .setRobotConnected(control.robotConnected())
                .setTicks(m.ticks.get())
                .setControlRateHz(control.rateHz())
                .setDeadlineMisses(m.deadlineMisses.get())
                .setWatchdogHolding(m.holding())
                .setInterventionEngaged(m.humanEngaged())
                .setEpisodeId(recorder.episodeId())
                .setTransitionsPublished(publisher.delivered())
                .setTransitionsPending(publisher.pending())
                .addAllSessions(sessions.sessions());
        for (int i = 0; i < SafetyTrips.COUNT; i++) {
            status.putSafetyTrips(SafetyTrips.name(i), m.trips(i));
        }
        return Uni.createFrom().item(status.build());
    }
}
