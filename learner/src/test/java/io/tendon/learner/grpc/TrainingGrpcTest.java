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

    private static EvaluateRequest rows(int rows) {
        EvaluateRequest.Builder request = EvaluateRequest.newBuilder().setBatch(rows);
        float[] state = BanditTrainingData.state();
        float[] arm = BanditTrainingData.arm(1);
        for (int r = 0; r < rows; r++) {
            for (float v : state) {
                request.addState(v);
            }
            for (float v : arm) {
                request.addActionChunk(v);
            }
        }
        return request.build();
    }

    /**
     * The documented limit is reachable: 4096 rows at the reference layout (64 + 208 floats,
     * 4.46 MB on the wire) pass the server's inbound message limit and are evaluated; 4097 are
     * refused by the batch limit, not by the transport. Callers queued behind one another each
     * end within their bounded wait (answered, or told to come back), while training goes on.
     */
    @Test
    void evaluateTakesTheDocumented4096RowsAndQueuedCallersWaitBoundedTimes() throws Exception {
        EvaluateRequest big = rows(DiagnosticsGrpc.MAX_ROWS);
        assertTrue(big.getSerializedSize() > 4 * 1024 * 1024, "size " + big.getSerializedSize());
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> diagnostics.evaluate(rows(1)).await().atMost(Duration.ofSeconds(10)) != null);
        EvaluateResponse r = diagnostics.evaluate(big).await().atMost(Duration.ofSeconds(30));
        assertEquals(DiagnosticsGrpc.MAX_ROWS, r.getQMinCount());
        assertEquals(DiagnosticsGrpc.MAX_ROWS, r.getVCount());
        StatusRuntimeException tooMany = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class,
                () -> diagnostics.evaluate(rows(DiagnosticsGrpc.MAX_ROWS + 1)).await().atMost(Duration.ofSeconds(30)));
        assertEquals(Status.Code.INVALID_ARGUMENT, tooMany.getStatus().getCode());
        assertTrue(tooMany.getStatus().getDescription().contains("1..4096"), tooMany.getStatus().getDescription());

        // Eight callers at once, one evaluation at a time (tendon.diagnostics.max-concurrent=1):
        // each is answered or refused with RESOURCE_EXHAUSTED / UNAVAILABLE, none waits unboundedly.
        java.util.List<java.util.concurrent.CompletableFuture<Status.Code>> calls = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            calls.add(diagnostics.evaluate(big).subscribeAsCompletionStage()
                    .thenApply(x -> Status.Code.OK)
                    .exceptionally(t -> Status.fromThrowable(t).getCode()).toCompletableFuture());
        }
        for (var c : calls) {
            Status.Code code = c.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(code == Status.Code.OK || code == Status.Code.RESOURCE_EXHAUSTED || code == Status.Code.UNAVAILABLE,
                    code.toString());
        }
    }
}
