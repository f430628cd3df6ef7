package io.tendon.edge.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.tendon.edge.bridge.GrpcRobotLink;
import io.tendon.edge.config.EdgeConfig;
import io.tendon.edge.kafka.EpisodeEventEmitter;
import io.tendon.edge.episode.RewardInbox;
import io.tendon.edge.episode.TransitionRecorder;
import io.tendon.edge.runtime.ControlService;
import io.tendon.edge.step.EpisodeOutcome;
import io.tendon.schemas.v1.Ack;
import io.tendon.schemas.v1.EpisodeEvent;
import io.tendon.schemas.v1.Episodes;
import io.tendon.schemas.v1.RewardEvent;
import jakarta.inject.Inject;

/**
 * Episode markers from a person or a classifier. With the simulator (which ends its own
 * episodes) they are validated and forwarded to Kafka as extra verdicts. On a real robot they
 * delimit the episodes: a verdict ends the running episode at the next control tick (SUCCESS
 * and FAILURE terminated, TIMEOUT and ABORT cut off; START cuts off a running episode that has
 * steps, so that a new one begins), and the recorder sends the markers, so they are not
 * forwarded twice.
 */
@GrpcService
public class EpisodesGrpc implements Episodes {

    @Inject
    EdgeConfig config;

    @Inject
    EpisodeEventEmitter emitter;

    @Inject
    TransitionRecorder recorder;

    @Inject
    ControlService control;

    @Override
    public Uni<Ack> mark(EpisodeEvent request) {
        if (request.getKind() == EpisodeEvent.Kind.KIND_UNSPECIFIED || request.getKind() == EpisodeEvent.Kind.UNRECOGNIZED) {
            return Uni.createFrom().item(refuse("kind is missing"));
        }
        if (request.getEpisodeId().isEmpty()) {
            return Uni.createFrom().item(refuse("episode_id is missing"));
        }
        GrpcRobotLink link = control.robotLink();
        if (link != null) {
            return Uni.createFrom().item(markRobotEpisode(link, request));
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
        RewardInbox inbox = recorder.rewards();
        RewardInbox.Result r = inbox.offer(request.getEpisodeId(), request.getStep(), request.getReward());
        return Uni.createFrom().item(switch (r) {
            case ACCEPTED -> Ack.newBuilder().setAccepted(true).build();
            case OUT_OF_BOUNDS -> refuse("reward " + request.getReward() + " is not a finite number within ["
                    + config.rewards().min() + ", " + config.rewards().max() + "] (tendon.edge.rewards.min/max)");
            case TOO_FAR_AHEAD -> refuse("step " + request.getStep() + " is more than " + inbox.window()
                    + " steps ahead of the first open one (tendon.edge.rewards.max-steps-ahead)");
            case NOT_OPEN -> refuse("episode " + request.getEpisodeId() + " step " + request.getStep()
                    + " is not open: its transition was already published, or the episode is not running (running: "
                    + inbox.episodeId() + ")");
        });
    }

    private Ack markRobotEpisode(GrpcRobotLink link, EpisodeEvent request) {
        String running = recorder.episodeId();
        EpisodeEvent.Kind kind = request.getKind();
        if (kind == EpisodeEvent.Kind.START) {
            if (link.episodeHasSteps()) {
                link.mark(EpisodeOutcome.TIMEOUT);
            }
            return Ack.newBuilder().setAccepted(true).build();
        }
        if (!request.getEpisodeId().equals(running)) {
            return refuse("episode " + request.getEpisodeId() + " is not the running one (running: " + running + ")");
        }
        link.mark(kind == EpisodeEvent.Kind.SUCCESS ? EpisodeOutcome.SUCCESS
                : kind == EpisodeEvent.Kind.FAILURE ? EpisodeOutcome.FAILURE : EpisodeOutcome.TIMEOUT);
        return Ack.newBuilder().setAccepted(true).build();
    }

    private static Ack refuse(String reason) {
        return Ack.newBuilder().setAccepted(false).setReason(reason).build();
    }
}
