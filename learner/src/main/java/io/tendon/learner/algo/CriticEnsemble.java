package io.tendon.learner.algo;

import static org.bytedeco.pytorch.global.torch.cat;

import io.tendon.learner.nn.EnsembleNet;
import io.tendon.learner.nn.MlpSpec;
import io.tendon.learner.nn.Optimiser;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * K critics {@code Q_k(s ⊕ a)} over the state and the flattened chunk, their Polyak-averaged
 * target copies and their optimiser. Each critic has one output (the chunk's value) or, with
 * Q-chunking, one per chunk position (head 0 is the chunk's value).
 */
public final class CriticEnsemble implements QFunction {

    public final int stateDim;
    public final int chunkSize;
    public final int heads;
    private final EnsembleNet online;
    private final EnsembleNet target;
    private final Optimiser optimiser;

    public CriticEnsemble(int stateDim, int chunkSize, int heads, List<Integer> hidden, boolean layerNorm, int members,
            boolean batched, Device device, ScalarType dtype, long seed, double learningRate, double weightDecay,
            double gradClip) {
        this.stateDim = stateDim;
        this.chunkSize = chunkSize;
        this.heads = heads;
        MlpSpec spec = new MlpSpec(stateDim + chunkSize, hidden, heads, layerNorm, false);
        online = EnsembleNet.create(spec, members, batched, device, dtype, seed);
        target = EnsembleNet.create(spec, members, batched, device, dtype, seed);
        target.setTrainable(false);
        optimiser = new Optimiser(online.parameterList(), learningRate, weightDecay, gradClip);
    }

    public int members() {
        return online.members();
    }

    /** Q_k(s, a) for every member and head: {@code [K, B, heads]}. */
    public Tensor q(Tensor state, Tensor chunk) {
        return online.forward(cat(new TensorVector(state, chunk), 1));
    }

    /** The target networks' Q_k(s, a): {@code [K, B, heads]}. */
    public Tensor targetQ(Tensor state, Tensor chunk) {
        return target.forward(cat(new TensorVector(state, chunk), 1));
    }

    /** The chunk's value (head 0) of every member: {@code [K, B, heads]} to {@code [K, B]}. */
    public static Tensor chunkValue(Tensor q) {
        return q.select(2, 0);
    }

    /** min over the members {@code k} listed, of {@code [K, B]}, to {@code [B, 1]}. */
    public static Tensor minOver(Tensor perMember, int[] members) {
        Tensor min = perMember.select(0, members[0]);
        for (int i = 1; i < members.length; i++) {
            min = min.minimum(perMember.select(0, members[i]));
        }
        return min.unsqueeze(1);
    }

    /** min over all members of the chunk value: {@code [B, 1]}. */
    @Override
    public Tensor minQ(Tensor state, Tensor chunk) {
        return chunkValue(q(state, chunk)).amin(new long[] {0}, false).unsqueeze(1);
    }

    public Optimiser optimiser() {
        return optimiser;
    }

    public EnsembleNet online() {
        return online;
    }

    public EnsembleNet target() {
        return target;
    }

    /** theta_target <- (1 - tau) theta_target + tau theta. */
    public void updateTargets(double tau) {
        target.polyakFrom(online, tau);
    }

    /** Frozen: no parameter gradients (gradients still reach the chunk, for the residual). */
    public void setFrozen(boolean frozen) {
        online.setTrainable(!frozen);
    }

    public void save(OutputArchive archive, String prefix) {
        online.save(archive, prefix + "online.");
        target.save(archive, prefix + "target.");
    }

    public void load(InputArchive archive, String prefix) {
        online.load(archive, prefix + "online.");
        target.load(archive, prefix + "target.");
    }
}
