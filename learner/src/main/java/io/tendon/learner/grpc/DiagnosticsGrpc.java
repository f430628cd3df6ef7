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
import jakarta.inject.Inject;

/**
 * Evaluates the live critic: Q of every ensemble member, their min, and the expectile V(s),
 * for the rows given. Runs on a worker thread: it waits for the current gradient step.
 */
@GrpcService
public class DiagnosticsGrpc implements Diagnostics {

    /** Largest batch one call may evaluate. */
    public static final int MAX_ROWS = 4096;

    @Inject
    TrainingService training;

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
        String problem = null;
        if (rows < 1 || rows > MAX_ROWS) {
            problem = "batch must lie in 1.." + MAX_ROWS + ", was " + rows;
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
        TrainingRun.Evaluation e = run.evaluate(states, chunks, rows);
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
