package io.tendon.learner.export;

import io.tendon.learner.policy.InputRole;
import io.tendon.learner.policy.StateLayout;
import io.tendon.schemas.v1.DType;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.GraphSpec;
import io.tendon.schemas.v1.TensorRole;
import io.tendon.schemas.v1.TensorSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The inputs and output of an exported graph: names, dimensions (dimension 0 the dynamic
 * batch) and what each input carries. Taken from the bundle manifest's spec of the graph when
 * it has one, so the edge finds the names and shapes it validates against; otherwise the
 * defaults below.
 */
public record GraphSignature(List<Input> inputs, String outputName, long[] outputDims) {

    /** One graph input. */
    public record Input(String name, long[] dims, InputRole role) {

        public long width() {
            long w = 1;
            for (int i = 1; i < dims.length; i++) {
                w *= dims[i];
            }
            return w;
        }
    }

    public GraphSignature {
        inputs = List.copyOf(inputs);
    }

    public long outputWidth() {
        long w = 1;
        for (int i = 1; i < outputDims.length; i++) {
            w *= outputDims[i];
        }
        return w;
    }

    /**
     * Residual default, in the edge's tensor roles: {@code actions} (the base chunk, raw units;
     * ACTIONS), {@code latent} (LATENT) and {@code state} (proprioception and wrench summary; STATE)
     * to {@code correction} (CORRECTION), all [batch, width].
     */
    public static GraphSignature defaultResidual(StateLayout layout, int chunkSize) {
        List<Input> in = new ArrayList<>();
        in.add(new Input("actions", new long[] {-1, chunkSize}, InputRole.CHUNK));
        in.addAll(stateInputs(layout));
        return new GraphSignature(in, "correction", new long[] {-1, chunkSize});
    }

    /**
     * Head default, in the edge's tensor roles: {@code latent} (LATENT) and {@code state}
     * (proprioception and wrench summary; STATE) to {@code actions} (ACTIONS), all [batch, width].
     */
    public static GraphSignature defaultHead(StateLayout layout, int chunkSize) {
        return new GraphSignature(stateInputs(layout), "actions", new long[] {-1, chunkSize});
    }

    private static List<Input> stateInputs(StateLayout layout) {
        List<Input> in = new ArrayList<>();
        if (layout.latentDim() > 0) {
            in.add(new Input("latent", new long[] {-1, layout.latentDim()}, InputRole.LATENT));
        }
        if (layout.proprioDim() + layout.wrenchDim() > 0) {
            in.add(new Input("state", new long[] {-1, layout.proprioDim() + layout.wrenchDim()},
                    InputRole.PROPRIO_WRENCH));
        }
        return in;
    }

    /**
     * This signature as a bundle manifest declares it for graph {@code role}: every tensor with its
     * edge role (LATENT, STATE, ACTIONS; CORRECTION or ACTIONS out), FLOAT32, dimension 0 the batch.
     * Requires the roles the edge knows: the latent, proprioception and wrench summary together as
     * STATE, and the chunk.
     */
    public GraphSpec toSpec(GraphRole role, boolean fromUpdate) {
        GraphSpec.Builder g = GraphSpec.newBuilder().setRole(role).setFromUpdate(fromUpdate);
        for (Input in : inputs) {
            TensorRole r = switch (in.role()) {
                case LATENT -> TensorRole.LATENT;
                case PROPRIO_WRENCH -> TensorRole.STATE;
                case CHUNK -> TensorRole.ACTIONS;
                case NOISE -> TensorRole.NOISE;
                default -> throw new IllegalArgumentException("input '" + in.name() + "' (" + in.role()
                        + ") has no tensor role on the edge: export the state as latent and state");
            };
            g.addInputs(tensor(in.name(), r, in.dims()));
        }
        g.addOutputs(tensor(outputName, role == GraphRole.RESIDUAL ? TensorRole.CORRECTION : TensorRole.ACTIONS,
                outputDims));
        return g.build();
    }

    private static TensorSpec tensor(String name, TensorRole role, long[] dims) {
        TensorSpec.Builder t = TensorSpec.newBuilder().setName(name).setRole(role).setDtype(DType.FLOAT32);
        for (long d : dims) {
            t.addShape(d);
        }
        return t.build();
    }

    /**
     * The signature a manifest's graph spec declares. Every input's role is read from its name
     * ({@link InputRole}); the state parts together must cover the whole state row exactly once,
     * and a residual ({@code needsChunk}) must take the chunk.
     */
    public static GraphSignature fromSpec(GraphSpec spec, StateLayout layout, int chunkSize, boolean needsChunk) {
        List<Input> in = new ArrayList<>();
        boolean[] covered = new boolean[layout.stateDim()];
        boolean chunk = false;
        for (TensorSpec t : spec.getInputsList()) {
            long[] dims = dims(t, spec);
            long width = 1;
            for (int i = 1; i < dims.length; i++) {
                width *= dims[i];
            }
            InputRole role = InputRole.of(t.getName(), width, layout, chunkSize);
            if (role.isStatePart()) {
                int off = role.stateOffset(layout);
                for (int c = off; c < off + width; c++) {
                    if (covered[c]) {
                        throw new IllegalArgumentException(spec.getRole() + " input '" + t.getName()
                                + "' repeats part of the state");
                    }
                    covered[c] = true;
                }
            }
            chunk |= role == InputRole.CHUNK;
            in.add(new Input(t.getName(), dims, role));
        }
        for (boolean c : covered) {
            if (!c) {
                throw new IllegalArgumentException(spec.getRole() + " inputs do not cover the whole state row");
            }
        }
        if (needsChunk != chunk) {
            throw new IllegalArgumentException(spec.getRole() + (needsChunk ? " must take" : " must not take")
                    + " an action chunk input");
        }
        if (spec.getOutputsCount() < 1) {
            throw new IllegalArgumentException(spec.getRole() + " declares no output");
        }
        TensorSpec out = spec.getOutputs(0);
        GraphSignature sig = new GraphSignature(in, out.getName(), dims(out, spec));
        if (sig.outputWidth() != chunkSize) {
            throw new IllegalArgumentException(spec.getRole() + " output '" + out.getName() + "' holds " + sig.outputWidth()
                    + " values per row, the chunk " + chunkSize);
        }
        return sig;
    }

    private static long[] dims(TensorSpec t, GraphSpec spec) {
        if (t.getShapeCount() < 2) {
            throw new IllegalArgumentException(spec.getRole() + " tensor '" + t.getName() + "' needs a batch and a width");
        }
        long[] dims = new long[t.getShapeCount()];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = t.getShape(i);
            if (i > 0 && dims[i] < 1) {
                throw new IllegalArgumentException(spec.getRole() + " tensor '" + t.getName()
                        + "' may be dynamic in its batch dimension only");
            }
        }
        dims[0] = -1;
        return dims;
    }
}
