package io.tendon.learner.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import io.tendon.learner.algo.BatchTensors;
import io.tendon.learner.algo.BcWarmup;
import io.tendon.learner.algo.BoraResidual;
import io.tendon.learner.algo.QFunction;
import io.tendon.learner.algo.TestBatches;
import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.nn.Tensors;
import io.tendon.learner.policy.StateLayout;
import io.tendon.learner.replay.Batch;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.GraphSpec;
import io.tendon.schemas.v1.NamedValue;
import io.tendon.schemas.v1.Provenance;
import io.tendon.schemas.v1.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

/** Export to ONNX, then ONNX Runtime against LibTorch on a probe batch. */
class ExportTest {

    private static final StateLayout LAYOUT = new StateLayout(40, 12, 12);
    private static final int H = 16;
    private static final int A = 13;
    private static final int CHUNK = H * A;
    private static final int ROWS = 64;

    private final Device cpu = NetTesting.cpu();
    private final ExportVerifier verifier = new ExportVerifier(1e-5, 1);
    private final Provenance provenance = Provenance.newBuilder().setLearnerId("learner-t").setTrainingStep(1234)
            .setStage("ONLINE_RESIDUAL").setDemoTransitions(10).setInterventionTransitions(2).setRolloutTransitions(30)
            .setCreatedUnixNanos(42).addStats(NamedValue.newBuilder().setName("critic_loss").setValue(0.5)).build();

    /** A residual moved away from its zero initialisation by a few hinge steps on a quadratic Q. */
    private BoraResidual trainedResidual() {
        Batch batch = TestBatches.random(32, LAYOUT.stateDim(), H, A, 3);
        BatchTensors tensors = new BatchTensors(32, LAYOUT.stateDim(), H, A, cpu, ScalarType.Float);
        tensors.load(batch);
        BoraResidual residual = new BoraResidual(LAYOUT.stateDim(), H, A, List.of(64, 64), true, cpu, ScalarType.Float, 1,
                1e-2, 10, 0.3, 0, 0.1, 0, 0, 32);
        QFunction q = (s, a) -> a.sub(s.narrow(1, 0, 1)).square().mean(new long[] {1}, true,
                new org.bytedeco.pytorch.ScalarTypeOptional()).neg();
        SplittableRandom random = new SplittableRandom(1);
        for (int i = 0; i < 20; i++) {
            try (PointerScope scope = new PointerScope()) {
                residual.update(tensors, tensors.action(), q, random);
            }
        }
        return residual;
    }

    private ExportVerifier.Reference residualReference(BoraResidual residual) {
        return (states, chunks, rows) -> {
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Tensor s = Tensors.of(states, new long[] {rows, LAYOUT.stateDim()}, cpu, ScalarType.Float);
                Tensor a = Tensors.of(chunks, new long[] {rows, CHUNK}, cpu, ScalarType.Float);
                return Tensors.toArray(residual.correction(s, a));
            }
        };
    }

    private ExportVerifier.Probe probe() {
        return new ExportVerifier.Probe(NetTesting.gaussian(ROWS * LAYOUT.stateDim(), 5), NetTesting.gaussian(ROWS * CHUNK, 6),
                ROWS);
    }

    private OnnxMl.ModelProto residualModel(BoraResidual residual, GraphSignature sig, long version) {
        return OnnxMlpWriter.write("residual", sig, residual.network().memberLayers(0), (float) residual.lambdaNow(),
                ExportMetadata.of("policy-x", "residual", version, provenance));
    }

    @Test
    void exportedResidualRunsInOnnxRuntimeLikeLibTorchAndCarriesItsProvenance() throws Exception {
        BoraResidual residual = trainedResidual();
        GraphSignature sig = GraphSignature.defaultResidual(LAYOUT, CHUNK);
        VerifiedExport export = verifier.verify("policy-x", "residual", 7, residualModel(residual, sig, 7), sig, LAYOUT,
                probe(), residualReference(residual), provenance);
        assertTrue(export.maxAbsError() <= 1e-5, "max error " + export.maxAbsError());
        assertEquals(ROWS, export.probeRows());
        OnnxMl.ModelProto parsed = OnnxMl.ModelProto.parseFrom(export.bytes());
        Map<String, String> meta = new HashMap<>();
        parsed.getMetadataPropsList().forEach(e -> meta.put(e.getKey(), e.getValue()));
        assertEquals("7", meta.get(ExportMetadata.VERSION));
        assertEquals("1234", meta.get(ExportMetadata.TRAINING_STEP));
        assertEquals("ONLINE_RESIDUAL", meta.get(ExportMetadata.STAGE));
        assertEquals("learner-t", meta.get(ExportMetadata.LEARNER_ID));
        assertEquals("10", meta.get(ExportMetadata.DEMO_TRANSITIONS));
        assertEquals("2", meta.get(ExportMetadata.INTERVENTION_TRANSITIONS));
        assertEquals("30", meta.get(ExportMetadata.ROLLOUT_TRANSITIONS));
        assertEquals("0.5", meta.get(ExportMetadata.STAT_PREFIX + "critic_loss"));
        // The exported bytes are a copy: changing them changes nothing inside the export.
        byte[] copy = export.bytes();
        copy[copy.length / 2] ^= 1;
        assertTrue(java.util.Arrays.equals(export.sha256(), ExportVerifier.sha256(export.bytes())));
    }

    @Test
    void headWithLayerNormAndTheManifestsThreeDimensionalShapesIsVerified() throws Exception {
        BcWarmup bc = new BcWarmup(LAYOUT.stateDim(), H, A, List.of(64, 64), true, cpu, ScalarType.Float, 4, 1e-3, 10);
        GraphSpec spec = GraphSpec.newBuilder().setRole(GraphRole.HEAD).setFile("head.onnx")
                .addInputs(TensorSpec.newBuilder().setName("obs_state").addShape(-1).addShape(LAYOUT.stateDim()))
                .addInputs(TensorSpec.newBuilder().setName("noise").addShape(-1).addShape(H).addShape(A))
                .addOutputs(TensorSpec.newBuilder().setName("actions").addShape(-1).addShape(H).addShape(A)).build();
        GraphSignature sig = GraphSignature.fromSpec(spec, LAYOUT, CHUNK, false);
        OnnxMl.ModelProto model = OnnxMlpWriter.write("head", sig, bc.network().memberLayers(0), 1f,
                ExportMetadata.of("policy-x", "head", 3, provenance));
        VerifiedExport export = verifier.verify("policy-x", "head", 3, model, sig, LAYOUT, probe(), (states, chunks, rows) -> {
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                return Tensors.toArray(bc.act(Tensors.of(states, new long[] {rows, LAYOUT.stateDim()}, cpu, ScalarType.Float)));
            }
        }, provenance);
        assertTrue(export.maxAbsError() <= 1e-5);
    }

    @Test
    void aGraphThatComputesSomethingElseIsRefusedWithTheReason() {
        BoraResidual residual = trainedResidual();
        GraphSignature sig = GraphSignature.defaultResidual(LAYOUT, CHUNK);
        OnnxMl.ModelProto model = tamperFirstWeight(residualModel(residual, sig, 9), 1e-3f);
        ExportRefusedException e = assertThrows(ExportRefusedException.class, () -> verifier.verify("policy-x", "residual", 9,
                model, sig, LAYOUT, probe(), residualReference(residual), provenance));
        assertTrue(e.getMessage().contains("differs from LibTorch"), e.getMessage());
    }

    @Test
    void nonFiniteOutputsAndInconsistentMetadataAreRefused() {
        BoraResidual residual = trainedResidual();
        GraphSignature sig = GraphSignature.defaultResidual(LAYOUT, CHUNK);
        OnnxMl.ModelProto nan = tamperFirstWeight(residualModel(residual, sig, 9), Float.NaN);
        ExportRefusedException e1 = assertThrows(ExportRefusedException.class, () -> verifier.verify("policy-x", "residual", 9,
                nan, sig, LAYOUT, probe(), residualReference(residual), provenance));
        assertTrue(e1.getMessage().contains("non-finite"), e1.getMessage());
        ExportRefusedException e2 = assertThrows(ExportRefusedException.class, () -> verifier.verify("policy-x", "residual", 10,
                residualModel(residual, sig, 9), sig, LAYOUT, probe(), residualReference(residual), provenance));
        assertTrue(e2.getMessage().contains(ExportMetadata.VERSION), e2.getMessage());
    }

    /** Adds {@code delta} to the first value of the first weight (or sets it when NaN). */
    private static OnnxMl.ModelProto tamperFirstWeight(OnnxMl.ModelProto model, float delta) {
        OnnxMl.ModelProto.Builder b = model.toBuilder();
        OnnxMl.GraphProto.Builder g = b.getGraphBuilder();
        for (int i = 0; i < g.getInitializerCount(); i++) {
            OnnxMl.TensorProto t = g.getInitializer(i);
            if (t.getName().startsWith("w0")) {
                ByteBuffer raw = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
                float v = raw.getFloat(0);
                raw.putFloat(0, Float.isNaN(delta) ? Float.NaN : v + delta);
                g.setInitializer(i, t.toBuilder().setRawData(ByteString.copyFrom(raw.array())));
                return b.build();
            }
        }
        throw new IllegalStateException("no w0 initializer");
    }
}
