package io.tendon.learner.policy;

import static org.bytedeco.pytorch.global.torch.randn;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * A CHUNK head graph as the frozen base policy: each input is fed by its {@link InputRole}
 * (state slices copied from the rows, noise drawn from LibTorch's seeded generator), and the
 * first output, {@code [batch, H*A]} or {@code [batch, H, A]}, is the chunk.
 */
public final class OnnxHeadPolicy implements BasePolicy {

    private final OrtGraph graph;
    private final StateLayout layout;
    private final int chunkSize;
    private final List<InputRole> roles = new ArrayList<>();

    public OnnxHeadPolicy(OrtGraph graph, StateLayout layout, int chunkSize) {
        this.graph = graph;
        this.layout = layout;
        this.chunkSize = chunkSize;
        boolean seesState = false;
        for (OrtGraph.Port in : graph.inputs()) {
            InputRole role = InputRole.of(in.name(), in.width(), layout, chunkSize);
            if (role == InputRole.CHUNK) {
                throw new IllegalArgumentException("head input '" + in.name() + "' asks for an action chunk; a head maps"
                        + " states (and noise) to a chunk");
            }
            seesState |= role.isStatePart();
            roles.add(role);
        }
        if (!seesState) {
            throw new IllegalArgumentException("the head graph has no state input");
        }
        long outWidth = graph.outputs().get(0).width();
        if (outWidth != chunkSize) {
            throw new IllegalArgumentException("head output '" + graph.outputs().get(0).name() + "' has " + outWidth
                    + " values per row, the layout's chunk has " + chunkSize);
        }
    }

    @Override
    public int stateDim() {
        return layout.stateDim();
    }

    @Override
    public int chunkSize() {
        return chunkSize;
    }

    public OrtGraph graph() {
        return graph;
    }

    @Override
    public void act(float[] states, int rows, float[] out) {
        int stateDim = layout.stateDim();
        for (int i = 0; i < roles.size(); i++) {
            InputRole role = roles.get(i);
            FloatPointer buffer = graph.input(i);
            if (role == InputRole.NOISE) {
                fillNoise(buffer, rows * graph.inputs().get(i).width());
                continue;
            }
            int offset = role.stateOffset(layout);
            int width = (int) role.width(layout, chunkSize);
            if (width == stateDim) {
                buffer.position(0).put(states, 0, rows * stateDim);
            } else {
                for (int r = 0; r < rows; r++) {
                    buffer.position((long) r * width).put(states, r * stateDim + offset, width);
                }
                buffer.position(0);
            }
        }
        graph.run(rows, out);
    }

    private static void fillNoise(FloatPointer buffer, long count) {
        try (PointerScope scope = new PointerScope()) {
            Tensor noise = randn(count);
            Pointer.memcpy(buffer.position(0), noise.data_ptr_float(), count * Float.BYTES);
        }
    }

    @Override
    public void close() {
        graph.close();
    }
}
