package io.tendon.learner.policy;

import ai.onnx.proto.OnnxMl;
import io.tendon.schemas.v1.ActionLayout;
import io.tendon.schemas.v1.ActionLayoutKind;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.DType;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.GraphSpec;
import io.tendon.schemas.v1.Integrator;
import io.tendon.schemas.v1.PolicyMode;
import io.tendon.schemas.v1.Rates;
import io.tendon.schemas.v1.SamplerSpec;
import io.tendon.schemas.v1.TensorRole;
import io.tendon.schemas.v1.TensorSpec;
import java.util.List;
import java.util.Map;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXRef;

/**
 * Head graphs built in test code with tribuo-util-onnx, with known weights:
 * {@code chunk = [latent, proprio] W + bias + noiseScale * noise} (the wrench is not an input).
 */
public final class TestHeads {

    private TestHeads() {
    }

    /** W[i][j] = 0.01 * ((i + 2 j) % 7 - 3), bias[j] = 0.1 * (j % 3). */
    public static float weight(int i, int j) {
        return 0.01f * (((i + 2 * j) % 7) - 3);
    }

    public static float bias(int j) {
        return 0.1f * (j % 3);
    }

    public static OnnxMl.ModelProto linearHead(int latent, int proprio, int chunk, float noiseScale) {
        ONNXContext ctx = new ONNXContext();
        var z = ctx.floatInput("latent", latent);
        var p = ctx.floatInput("proprio", proprio);
        var noise = ctx.floatInput("noise", chunk);
        int in = latent + proprio;
        var w = ctx.floatTensor("w", List.of(in, chunk), buf -> {
            for (int i = 0; i < in; i++) {
                for (int j = 0; j < chunk; j++) {
                    buf.put(weight(i, j));
                }
            }
        });
        var b = ctx.floatTensor("b", List.of(chunk), buf -> {
            for (int j = 0; j < chunk; j++) {
                buf.put(bias(j));
            }
        });
        var scale = ctx.floatTensor("scale", List.of(1), buf -> buf.put(noiseScale));
        ONNXRef<?> x = ctx.operation(ONNXOperators.CONCAT, List.of(z, p), "x", Map.of("axis", 1));
        ONNXRef<?> y = ctx.operation(ONNXOperators.GEMM, List.of(x, w, b), "y", Map.of());
        ONNXRef<?> n = ctx.operation(ONNXOperators.MUL, List.of(noise, scale), "n", Map.of());
        ctx.operation(ONNXOperators.ADD, List.of(y, n), "sum", Map.of()).assignTo(ctx.floatOutput("action_chunk", chunk));
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(ctx.buildGraph())
                .addOpsetImport(ONNXOperators.getOpsetProto()).build();
    }

    /**
     * A complete manifest for the linear head as a CHUNK bundle's HEAD (file head.onnx): latent,
     * proprio (role STATE) and noise in, the chunk out, H = 16, A = 13, wide action bounds.
     */
    public static BundleManifest chunkManifest(String policyId, float residualScale) {
        return base(policyId, PolicyMode.CHUNK, residualScale)
                .addGraphs(GraphSpec.newBuilder().setRole(GraphRole.HEAD).setFile("head.onnx")
                        .addInputs(tensor("latent", TensorRole.LATENT, 40))
                        .addInputs(tensor("proprio", TensorRole.STATE, 12))
                        .addInputs(tensor("noise", TensorRole.NOISE, 16 * 13))
                        .addOutputs(tensor("action_chunk", TensorRole.ACTIONS, 16 * 13)))
                .build();
    }

    /** A valid FLOW manifest (a step graph in step.onnx): a policy the learner cannot run itself. */
    public static BundleManifest flowManifest(String policyId) {
        return base(policyId, PolicyMode.FLOW, 0f)
                .setSampler(SamplerSpec.newBuilder().setIntegrator(Integrator.EULER))
                .addGraphs(GraphSpec.newBuilder().setRole(GraphRole.STEP).setFile("step.onnx")
                        .addInputs(tensor("sample", TensorRole.SAMPLE, 16 * 13))
                        .addInputs(TensorSpec.newBuilder().setName("flow_time").setRole(TensorRole.FLOW_TIME)
                                .addShape(1).addShape(1).setDtype(DType.FLOAT32))
                        .addOutputs(tensor("velocity", TensorRole.VELOCITY, 16 * 13)))
                .build();
    }

    private static BundleManifest.Builder base(String policyId, PolicyMode mode, float residualScale) {
        ActionLayout.Builder layout = ActionLayout.newBuilder().setKind(ActionLayoutKind.POSE_TARGET_STIFFNESS);
        for (int i = 0; i < 13; i++) {
            layout.addLower(-1e4f).addUpper(1e4f);
        }
        return BundleManifest.newBuilder().setManifestVersion(1).setPolicyId(policyId).setVersion(1).setMode(mode)
                .setResidualScale(residualScale)
                .setRates(Rates.newBuilder().setControlHz(1000).setPolicyHz(10).setChunkLength(16).setExecHorizon(8))
                .setActionLayout(layout);
    }

    private static TensorSpec tensor(String name, TensorRole role, int width) {
        return TensorSpec.newBuilder().setName(name).setRole(role).addShape(-1).addShape(width)
                .setDtype(DType.FLOAT32).build();
    }

    /** The head's noise-free output for one state row (latent ⊕ proprio ⊕ wrench). */
    public static float[] expected(float[] state, int latent, int proprio, int chunk) {
        float[] out = new float[chunk];
        for (int j = 0; j < chunk; j++) {
            double s = bias(j);
            for (int i = 0; i < latent + proprio; i++) {
                s += state[i] * weight(i, j);
            }
            out[j] = (float) s;
        }
        return out;
    }
}
