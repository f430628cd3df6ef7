package io.tendon.edge.policy;

import static io.tendon.edge.policy.TestBundles.A;
import static io.tendon.edge.policy.TestBundles.f32;
import static io.tendon.edge.policy.TestBundles.graph;

import io.tendon.edge.policy.TestGraphs.Act;
import io.tendon.edge.policy.TestGraphs.Mlp;
import io.tendon.edge.policy.TestGraphs.Port;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.Integrator;
import io.tendon.schemas.v1.PolicyMode;
import io.tendon.schemas.v1.SamplerSpec;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Bundles of realistic size, one per mode, for the allocation test, the service test and the
 * benchmarks. The chunk head is the reference head: MLP 64 -> 256 -> 256 -> (16 x 13).
 */
final class ReferenceBundles {

    static final int H = 16;
    static final int LATENT = 64;
    static final int STATE = 12;
    static final int HIDDEN = 256;
    static final int COND = 64;

    private ReferenceBundles() {
    }

    /** The reference head alone: latent (the 64 features) -> chunk; 10 Hz, H 16, executes 8, latency 2. */
    static Path chunkHead(Path dir) {
        BundleManifest m = TestBundles.manifest("reference-head", PolicyMode.CHUNK, H, 8, 2, 10)
                .addGraphs(graph(GraphRole.HEAD, "head.onnx", List.of(f32("latent", 1, LATENT)),
                        List.of(f32("actions", 1, H, A))))
                .build();
        return TestBundles.write(dir, m, Map.of("head.onnx", referenceHead(1)));
    }

    static byte[] referenceHead(long seed) {
        Mlp head = new Mlp(seed, Act.RELU, LATENT, HIDDEN, HIDDEN, H * A);
        return TestGraphs.mlpGraph(head, List.of(Port.f("latent", -1, LATENT)), Port.f("actions", -1, H, A), null, 0);
    }

    /** Chunk mode with every optional piece: encoder, state, noise, residual. */
    static Path chunkFull(Path dir) {
        BundleManifest m = TestBundles.manifest("reference-chunk", PolicyMode.CHUNK, H, 8, 2, 10)
                .addGraphs(graph(GraphRole.ENCODER, "encoder.onnx", List.of(f32("observation", 1, 32)),
                        List.of(f32("latent", 1, LATENT))))
                .addGraphs(graph(GraphRole.HEAD, "head.onnx",
                        List.of(f32("latent", 1, LATENT), f32("state", 1, STATE), f32("noise", 1, H, A)),
                        List.of(f32("actions", 1, H, A))))
                .addGraphs(graph(GraphRole.RESIDUAL, "residual.onnx",
                        List.of(f32("latent", 1, LATENT), f32("state", 1, STATE), f32("actions", 1, H, A)),
                        List.of(f32("correction", 1, H, A))))
                .setResidualScale(0.1f)
                .build();
        return TestBundles.write(dir, m, Map.of(
                "encoder.onnx", TestGraphs.mlpGraph(new Mlp(2, Act.TANH, 32, LATENT, LATENT),
                        List.of(Port.f("observation", -1, 32)), Port.f("latent", -1, LATENT), null, 0),
                "head.onnx", TestGraphs.mlpGraph(new Mlp(3, Act.RELU, LATENT + STATE, HIDDEN, H * A),
                        List.of(Port.f("latent", -1, LATENT), Port.f("state", -1, STATE)), Port.f("actions", -1, H, A),
                        Port.f("noise", -1, H, A), 0.1f),
                "residual.onnx", TestGraphs.mlpGraph(new Mlp(4, Act.RELU, LATENT + STATE + H * A, 64, H * A),
                        List.of(Port.f("latent", -1, LATENT), Port.f("state", -1, STATE), Port.f("actions", -1, H, A)),
                        Port.f("correction", -1, H, A), null, 0)));
    }

    /**
     * Flow mode: prefix (latent, state) -> conditioning 64; the reference step graph
     * MLP(x 208, t, conditioning 64) -> 256 -> 256 -> velocity 208; 10 Euler steps; optional
     * quadratic guidance in the last 10%.
     */
    static Path flow(Path dir, boolean guidance) {
        BundleManifest.Builder m = TestBundles.manifest("reference-flow", PolicyMode.FLOW, H, 8, 2, 10)
                .addGraphs(graph(GraphRole.PREFIX, "prefix.onnx", List.of(f32("latent", 1, LATENT), f32("state", 1, STATE)),
                        List.of(f32("conditioning", 1, COND))))
                .addGraphs(graph(GraphRole.STEP, "step.onnx",
                        List.of(f32("sample", 1, H, A), f32("flow_time", 1, 1), f32("conditioning", 1, COND)),
                        List.of(f32("velocity", 1, H, A))))
                .setSampler(SamplerSpec.newBuilder().setIntegrator(Integrator.EULER).setNSteps(10)
                        .setGuidanceFraction(0.1f).setGuidanceScale(0.01f));
        Map<String, byte[]> files = new HashMap<>();
        files.put("prefix.onnx", TestGraphs.mlpGraph(new Mlp(5, Act.TANH, LATENT + STATE, COND, COND),
                List.of(Port.f("latent", -1, LATENT), Port.f("state", -1, STATE)), Port.f("conditioning", -1, COND), null, 0));
        files.put("step.onnx", referenceStep(6));
        if (guidance) {
            m.addGraphs(graph(GraphRole.GUIDANCE, "guidance.onnx", List.of(f32("sample", 1, H, A)),
                    List.of(f32("gradient", 1, H, A))));
            files.put("guidance.onnx", TestGraphs.quadraticGuidance(H, A, new float[H * A]));
        }
        return TestBundles.write(dir, TestBundles.unbounded(m).build(), files);
    }

    static byte[] referenceStep(long seed) {
        Mlp step = new Mlp(seed, Act.RELU, H * A + 1 + COND, HIDDEN, HIDDEN, H * A);
        return TestGraphs.mlpGraph(step,
                List.of(Port.f("sample", -1, H, A), Port.f("flow_time", -1, 1), Port.f("conditioning", -1, COND)),
                Port.f("velocity", -1, H, A), null, 0);
    }

    /**
     * Two-rate: slow (2 frames x 32 features) -> conditioning 64 every 6 ticks; the reference fast
     * graph on windows of 3..8 wrench frames; per-row residual; 30 Hz.
     */
    static Path twoRate(Path dir) {
        BundleManifest.Builder m = TestBundles.manifest("reference-two-rate", PolicyMode.TWO_RATE, H, 1, 1, 30)
                .addGraphs(graph(GraphRole.SLOW, "slow.onnx", List.of(f32("observation", 1, 2, 32)),
                        List.of(f32("conditioning", 1, COND))))
                .addGraphs(graph(GraphRole.FAST, "fast.onnx",
                        List.of(f32("wrench_window", 1, -1, 6), f32("conditioning", 1, COND), f32("noise", 1, -1, A)),
                        List.of(f32("actions", 1, -1, A))))
                .addGraphs(graph(GraphRole.RESIDUAL, "residual.onnx", List.of(f32("latent", 1, 32), f32("actions", 1, A)),
                        List.of(f32("correction", 1, A))))
                .setResidualScale(0.1f);
        m.getRatesBuilder().setSlowInterval(6).setNObsSteps(2);
        return TestBundles.write(dir, TestBundles.unbounded(m).build(), Map.of(
                "slow.onnx", TestGraphs.mlpGraph(new Mlp(7, Act.TANH, 64, 128, COND),
                        List.of(Port.f("observation", -1, 2, 32)), Port.f("conditioning", -1, COND), null, 0),
                "fast.onnx", TestGraphs.referenceFast(8, A, COND, 64),
                "residual.onnx", TestGraphs.mlpGraph(new Mlp(9, Act.RELU, 32 + A, 32, A),
                        List.of(Port.f("latent", -1, 32), Port.f("actions", -1, A)), Port.f("correction", -1, A), null, 0)));
    }

    /** Fills an observation with smooth, bounded values that change with {@code tick}. */
    static void observe(Observation o, long tick, long stampNanos) {
        for (int i = 0; i < o.features.length; i++) {
            o.features[i] = (float) Math.sin(0.05 * tick + 0.3 * i);
        }
        for (int i = 0; i < o.state.length; i++) {
            o.state[i] = (float) Math.cos(0.05 * tick + 0.2 * i);
        }
        for (int i = 0; i < 6; i++) {
            o.wrench[i] = (float) (2 * Math.sin(0.2 * tick + i));
        }
        o.stampNanos = stampNanos;
        o.sequence = tick;
    }
}
