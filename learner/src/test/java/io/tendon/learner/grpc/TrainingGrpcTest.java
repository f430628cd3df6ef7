package io.tendon.learner.grpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.tendon.schemas.v1.Diagnostics;
import io.tendon.schemas.v1.EvaluateRequest;
import io.tendon.schemas.v1.EvaluateResponse;
import io.tendon.schemas.v1.LearnerStatus;
import io.tendon.schemas.v1.LearnerStatusRequest;
import io.tendon.schemas.v1.LearnerStatusService;
import io.tendon.testing.KafkaBrokerResource;
import java.nio.file.Files;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The wired learner over gRPC: it trains a critic on a bandit with known rewards, publishes the
 * BC head through the real broker, and reports stage, steps, losses and version; Evaluate
 * returns every member's Q, their min and V.
 */
@QuarkusTest
@TestProfile(TrainingProfile.class)
@QuarkusTestResource(KafkaBrokerResource.class)
class TrainingGrpcTest {

    @GrpcClient("learner")
    LearnerStatusService status;

    @GrpcClient("learner")
    Diagnostics diagnostics;

    private LearnerStatus status() {
        return status.getStatus(LearnerStatusRequest.getDefaultInstance()).await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void statusShowsTheStagesStepsLossesAndPublishedVersionThenEvaluateGivesTheKnownQ() throws Exception {
        await().atMost(Duration.ofSeconds(120)).until(() -> status().getStage().equals("DONE"));
        LearnerStatus s = status();
        assertEquals(20L, s.getStepsOrThrow("bc"));
        assertEquals(500L, s.getStepsOrThrow("critic"));
        assertTrue(s.getLossesOrThrow("critic") < 0.05, "critic loss " + s.getLossesOrThrow("critic"));
        assertEquals(1L, s.getLastPublishedVersion(), "the BC head went out as version 1");
        assertEquals("", s.getBlockedReason(), "done, not blocked");
        assertEquals(0.0, s.getSamplesPerInsert(), "nothing was inserted into the bandit");
        assertTrue(Files.readString(TrainingProfile.ROOT.resolve("trusted/policy-signing.pub.pem")).contains("PUBLIC KEY"));

        EvaluateRequest.Builder request = EvaluateRequest.newBuilder().setBatch(3);
        for (int k = 0; k < 3; k++) {
            for (float v : BanditTrainingData.state()) {
                request.addState(v);
            }
            for (float v : BanditTrainingData.arm(k)) {
                request.addActionChunk(v);
            }
        }
        EvaluateResponse r = diagnostics.evaluate(request.build()).await().atMost(Duration.ofSeconds(10));
        assertEquals(2, r.getEnsembleSize());
        assertEquals(6, r.getQMembersCount());
        for (int k = 0; k < 3; k++) {
            float min = Math.min(r.getQMembers(k * 2), r.getQMembers(k * 2 + 1));
            assertEquals(min, r.getQMin(k), 0f);
            assertEquals(BanditTrainingData.REWARDS[k], r.getQMin(k), 0.1, "arm " + k);
        }
        // V is an upper expectile (tau 0.7) of Q over the arms: between their mean and their max.
        assertTrue(r.getV(0) > 0.8 && r.getV(0) < 2.0, "V " + r.getV(0));
        assertEquals(r.getV(0), r.getV(2), 1e-4, "V depends on the state only");
    }

    @Test
    void malformedEvaluateRequestsAreRefusedWithTheReason() {
        StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> diagnostics.evaluate(EvaluateRequest.newBuilder().setBatch(1).addState(1f).build())
                        .await().atMost(Duration.ofSeconds(10)));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("state"), e.getStatus().getDescription());
        EvaluateRequest.Builder nan = EvaluateRequest.newBuilder().setBatch(1);
        for (int i = 0; i < 64; i++) {
            nan.addState(i == 5 ? Float.NaN : 0f);
        }
        for (int i = 0; i < 208; i++) {
            nan.addActionChunk(0f);
        }
        StatusRuntimeException e2 = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> diagnostics.evaluate(nan.build()).await().atMost(Duration.ofSeconds(10)));
        assertTrue(e2.getStatus().getDescription().contains("state[5]"), e2.getStatus().getDescription());
    }
}
