package io.tendon.learner.grpc;

import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import io.tendon.learner.train.TrainingRun;
import io.tendon.learner.train.TrainingService;
import io.tendon.schemas.v1.Diagnostics;
import io.tendon.schemas.v1.EvaluateRequest;
import io.tendon.schemas.v1.EvaluateResponse;
import io.tendon.learner.config.LearnerConfig;
import jakarta.annotation.PostConstruct;
import jakarta.inject.Inject;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Evaluates the live critic: Q of every ensemble member, their min, and the expectile V(s),
 * for the rows given. Runs on a worker thread, between two gradient steps: callers are let in
 * {@code tendon.diagnostics.max-concurrent} at a time, each waits at most
 * {@code tendon.diagnostics.max-wait-ms} for its turn (else RESOURCE_EXHAUSTED) and then for the
 * trainer's current step (else UNAVAILABLE), so a queue of callers never holds training up by
 * more than one evaluation at a time.
 */
@GrpcService
public class DiagnosticsGrpc implements Diagnostics {

    /** Largest batch one call may evaluate (less when the inbound message limit cannot carry it). */
    public static final int MAX_ROWS = 4096;

    @Inject
    TrainingService training;

    @Inject
    LearnerConfig config;

    @ConfigProperty(name = "quarkus.grpc.server.max-inbound-message-size", defaultValue = "262144")
    int maxInboundBytes;

    private Semaphore turns;

    @PostConstruct
    void init() {
        turns = new Semaphore(config.diagnostics().maxConcurrent(), true);
    }

    /** Rows a request may carry: 4096, or what the inbound message limit holds for this layout. */
    int maxRows(int stateDim, int chunk) {
        // Packed floats, 4 bytes each, plus a few bytes of tags and lengths.
        return (int) Math.min(MAX_ROWS, (maxInboundBytes - 64L) / (4L * (stateDim + chunk)));
    }

    @Override
    @Blocking
    public Uni<EvaluateResponse> evaluate(EvaluateRequest request) {
        TrainingRun run = training.trainingRun().orElse(null);
        if (run == null) {
            return Uni.createFrom().failure(Status.FAILED_PRECONDITION
                    .withDescription("training is off on this learner (tendon.train.enabled=false)").asRuntimeException());
        }
        int rows = request.getBatch();
        int stateDim = run.layout().stateDim();
        int chunk = run.chunkSize();
        int maxRows = maxRows(stateDim, chunk);
        String problem = null;
        if (rows < 1 || rows > maxRows) {
            problem = "batch must lie in 1.." + maxRows + ", was " + rows;
        } else if (request.getStateCount() != rows * stateDim) {
            problem = "state holds " + request.getStateCount() + " floats, batch x state_dim is " + rows + " x " + stateDim;
        } else if (request.getActionChunkCount() != rows * chunk) {
            problem = "action_chunk holds " + request.getActionChunkCount() + " floats, batch x H*A is " + rows + " x "
                    + chunk;
        }
        float[] states = new float[rows * stateDim];
        float[] chunks = new float[rows * chunk];
        if (problem == null) {
            for (int i = 0; i < states.length && problem == null; i++) {
                states[i] = request.getState(i);
                if (!Float.isFinite(states[i])) {
                    problem = "state[" + i + "] is not finite";
                }
            }
            for (int i = 0; i < chunks.length && problem == null; i++) {
                chunks[i] = request.getActionChunk(i);
                if (!Float.isFinite(chunks[i])) {
                    problem = "action_chunk[" + i + "] is not finite";
                }
            }
        }
        if (problem != null) {
            return Uni.createFrom().failure(Status.INVALID_ARGUMENT.withDescription(problem).asRuntimeException());
        }
        TrainingRun.Evaluation e;
        long wait = TimeUnit.MILLISECONDS.toNanos(config.diagnostics().maxWaitMs());
        long start = System.nanoTime();
        try {
            if (!turns.tryAcquire(wait, TimeUnit.NANOSECONDS)) {
                return Uni.createFrom().failure(Status.RESOURCE_EXHAUSTED.withDescription("other evaluations held every"
                        + " turn for " + config.diagnostics().maxWaitMs() + " ms (tendon.diagnostics.max-concurrent = "
                        + config.diagnostics().maxConcurrent() + "); try again").asRuntimeException());
            }
            try {
                e = run.tryEvaluate(states, chunks, rows, Math.max(0, wait - (System.nanoTime() - start)));
            } finally {
                turns.release();
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return Uni.createFrom().failure(Status.CANCELLED.asRuntimeException());
        }
        if (e == null) {
            return Uni.createFrom().failure(Status.UNAVAILABLE.withDescription("the trainer did not finish its step within "
                    + config.diagnostics().maxWaitMs() + " ms (tendon.diagnostics.max-wait-ms); try again").asRuntimeException());
        }
        EvaluateResponse.Builder response = EvaluateResponse.newBuilder().setEnsembleSize(e.members());
        for (float q : e.qMembers()) {
            response.addQMembers(q);
        }
        for (float q : e.qMin()) {
            response.addQMin(q);
        }
        for (float v : e.v()) {
            response.addV(v);
        }
        return Uni.createFrom().item(response.build());
    }
}
