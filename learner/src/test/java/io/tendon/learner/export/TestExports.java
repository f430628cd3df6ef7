package io.tendon.learner.export;

import io.tendon.learner.algo.BoraResidual;
import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.nn.Tensors;
import io.tendon.learner.policy.StateLayout;
import io.tendon.schemas.v1.Provenance;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Verified exports for tests, made the only way there is: export, then ONNX Runtime verification. */
public final class TestExports {

    private TestExports() {
    }

    /** A residual of layout 1 (64 state, 16 x 13 chunk) with the given hidden widths, verified. */
    public static VerifiedExport residual(String policyId, long version, List<Integer> hidden, long seed)
            throws ExportRefusedException {
        Device cpu = NetTesting.cpu();
        StateLayout layout = new StateLayout(40, 12, 12);
        int chunk = 16 * 13;
        // Not zero-initialised weights would be the trained case; lambda 1 and ramp 0 keep it simple.
        BoraResidual residual = new BoraResidual(64, 16, 13, hidden, false, cpu, ScalarType.Float, seed, 1e-3, 0, 1.0, 0,
                0.1, 0, 0, 8);
        GraphSignature sig = GraphSignature.defaultResidual(layout, chunk);
        Provenance provenance = Provenance.newBuilder().setLearnerId("learner-test").setTrainingStep(version * 100)
                .setStage("ONLINE_RESIDUAL").build();
        var model = OnnxMlpWriter.write("residual", sig, residual.network().memberLayers(0), 1f,
                ExportMetadata.of(policyId, "residual", version, provenance));
        int rows = 8;
        return new ExportVerifier(1e-5, 1).verify(policyId, "residual", version, model, sig, layout,
                new ExportVerifier.Probe(NetTesting.gaussian(rows * 64, 1), NetTesting.gaussian(rows * chunk, 2), rows),
                (states, chunks, n) -> {
                    try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                        return Tensors.toArray(residual.correction(Tensors.of(states, new long[] {n, 64}, cpu, ScalarType.Float),
                                Tensors.of(chunks, new long[] {n, chunk}, cpu, ScalarType.Float)));
                    }
                }, provenance);
    }
}
