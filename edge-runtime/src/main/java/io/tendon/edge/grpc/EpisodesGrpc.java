package io.tendon.edge.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.schemas.v1.Ack;
import io.tendon.schemas.v1.EpisodeEvent;
import io.tendon.schemas.v1.Episodes;
import io.tendon.schemas.v1.RewardEvent;
import io.grpc.Status;
import jakarta.inject.Inject;

/** Episode markers from a person or a classifier: validated, then forwarded to Kafka. */
@GrpcService
public class EpisodesGrpc implements Episodes {

    @Inject
    EdgeConfig config;

    @Inject
    EpisodeEventEmitter emitter;

    @Override
    public Uni<Ack> mark(EpisodeEvent request) {
        if (request.getKind() == EpisodeEvent.Kind.KIND_UNSPECIFIED || request.getKind() == EpisodeEvent.Kind.UNRECOGNIZED) {
            return Uni.createFrom().item(refuse("kind is missing"));
        }
        if (request.getEpisodeId().isEmpty()) {
            return Uni.createFrom().item(refuse("episode_id is missing"));
        }
        EpisodeEvent event = request.toBuilder()
                .setRobotId(config.robotId())
                .setTimeUnixNanos(request.getTimeUnixNanos() != 0 ? request.getTimeUnixNanos()
                        : System.currentTimeMillis() * 1_000_000L)
                .build();
        return Uni.createFrom().completionStage(emitter.send(event))
                .map(ignored -> Ack.newBuilder().setAccepted(true).build())
                .onFailure().recoverWithItem(error -> refuse("not delivered to Kafka: " + error.getMessage()));
    }

    @Override
    public Uni<Ack> reward(RewardEvent request) {
        // TODO(recorder): fold into the running episode's rewards.
        return Uni.createFrom().failure(Status.UNIMPLEMENTED.withDescription("rewards: not yet").asRuntimeException());
    }

    private static Ack refuse(String reason) {
        return Ack.newBuilder().setAccepted(false).setReason(reason).build();
    }
}
