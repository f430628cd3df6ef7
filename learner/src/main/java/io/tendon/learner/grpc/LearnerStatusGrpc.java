package io.tendon.learner.grpc;

import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.ingest.IngestService;
import io.tendon.learner.replay.ReplayBuffer;
import io.tendon.learner.train.TrainingService;
import io.tendon.learner.train.TrainingStatus;
import io.tendon.schemas.v1.LearnerStatus;
import io.tendon.schemas.v1.LearnerStatusRequest;
import io.tendon.schemas.v1.LearnerStatusService;
import io.tendon.schemas.v1.Source;
import jakarta.inject.Inject;

/** Learner status over gRPC: what it holds and what it is doing. */
@GrpcService
public class LearnerStatusGrpc implements LearnerStatusService {

    @Inject
    LearnerConfig config;

    @Inject
    IngestService ingest;

    @Inject
    ReplayBuffer replay;

    @Inject
    TrainingService training;

    @Override
    public Uni<LearnerStatus> getStatus(LearnerStatusRequest request) {
        double accepted = ingest.metrics().acceptedCount();
        LearnerStatus.Builder status = LearnerStatus.newBuilder()
                .setLearnerId(config.learnerId())
                .setTransitionsAccepted((long) accepted)
                .setTransitionsDeadLettered((long) ingest.metrics().totalDeadLetters())
                .setIngestRatePerS(ingest.metrics().ratePerSecond())
                .setConsumerLagRecords(ingest.metrics().consumerLag().records());
        TrainingStatus train = training.status().orElse(null);
        if (train == null) {
            status.setStage("OFF");
        } else {
            status.setStage(train.stage().name())
                    .putAllSteps(train.steps())
                    .putAllLosses(train.losses())
                    .setTrainRatePerS(train.stepsPerSecond())
                    .setLastPublishedVersion(train.lastPublishedVersion())
                    .setSamplesPerInsert(train.samplesPerInsert())
                    .setUpdatesPerInsert(train.updatesPerInsert())
                    .setBlockedReason(train.blockedReason());
        }
        for (Source source : new Source[] {Source.DEMO, Source.INTERVENTION, Source.ROLLOUT}) {
            status.putReplaySizes(source.name(), replay.size(source));
        }
        return Uni.createFrom().item(status.build());
    }
}
