package io.tendon.edge.policy;

import static io.tendon.edge.policy.TestBundles.A;
import static io.tendon.edge.policy.TestBundles.f32;
import static io.tendon.edge.policy.TestBundles.graph;
import static io.tendon.edge.policy.TestBundles.i64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tendon.edge.policy.TestGraphs.Act;
import io.tendon.edge.policy.TestGraphs.Mlp;
import io.tendon.edge.policy.TestGraphs.Port;
import io.tendon.schemas.v1.BetaSchedule;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.Integrator;
import io.tendon.schemas.v1.PolicyMode;
import io.tendon.schemas.v1.SamplerSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FLOW mode: the runtime integrates step graphs whose answer is known in closed form, so the
 * integrated chunk is checked exactly: Euler in both time directions, DDIM on an exact epsilon
 * predictor, the prefix computed once per chunk, and guidance with a known gradient applied in
 * the last fraction of the steps only.
 */
class FlowModeTest {

    static final int H = 4;
    static final int F = 6;
    static final int S = 2;
    static final int C = 5;
    static final int N_STEPS = 10;

    @TempDir
    Path dir;

    final Mlp prefix = new Mlp(11, Act.TANH, F + S, 10, C);
    final float[] w = TestGraphs.random(12, C * H * A, 0.5);
    final float[] c = TestGraphs.random(13, H * A, 0.3);
    final TestBundles.ManualClock clock = new TestBundles.ManualClock();

    BundleManifest.Builder manifest(SamplerSpec.Builder sampler) {
        return TestBundles.unbounded(TestBundles.manifest("flow-test", PolicyMode.FLOW, H, 2, 1, 10)
                .addGraphs(graph(GraphRole.PREFIX, "prefix.onnx", List.of(f32("latent", 1, F), f32("state", 1, S)),
                        List.of(f32("conditioning", 1, C))))
                .addGraphs(graph(GraphRole.STEP, "step.onnx",
                        List.of(f32("sample", 1, H, A), f32("flow_time", 1, 1), f32("conditioning", 1, C)),
                        List.of(f32("velocity", 1, H, A)))))
                .setSampler(sampler);
    }

    Map<String, byte[]> files(boolean reverse) {
        Map<String, byte[]> files = new HashMap<>();
        files.put("prefix.onnx", TestGraphs.mlpGraph(prefix, List.of(Port.f("latent", -1, F), Port.f("state", -1, S)),
                Port.f("conditioning", -1, C), null, 0));
        files.put("step.onnx", TestGraphs.closedFormStep(H, A, C, w, c, reverse));
        return files;
    }

    PolicyRuntime load(BundleManifest manifest, Map<String, byte[]> files) {
        return PolicyRuntime.load(TestBundles.write(dir, manifest, files), OrtSettings.cpu(),
                new PolicyRuntime.Options().clock(clock).noiseSeed(42));
    }

    Observation observation(PolicyRuntime rt, float shift) {
        Observation o = rt.newObservation();
        for (int i = 0; i < F; i++) {
            o.features[i] = 0.1f * i - 0.2f + shift;
        }
        o.state[0] = 0.3f + shift;
        o.state[1] = -0.7f;
        return o;
    }

    float[] target(Observation obs) {
        float[] cond = TestGraphs.mlpReference(prefix, List.of(obs.features, obs.state), null, 0);
        return TestGraphs.closedFormTarget(w, c, cond, H * A);
    }

    float[] chunk(PolicyRuntime rt, long tick, Observation obs) {
        clock.now = tick * rt.periodNanos() + 1_000_000L;
        assertEquals(StepOutcome.PUBLISHED, rt.step(tick, tick * rt.periodNanos(), obs));
        return Arrays.copyOf(rt.proposals().take().actions, H * A);
    }

    @Test
    void eulerIntegrationReachesTheClosedFormTargetAndThePrefixRunsOncePerChunk() {
        try (PolicyRuntime rt = load(manifest(SamplerSpec.newBuilder().setIntegrator(Integrator.EULER)
                .setNSteps(N_STEPS)).build(), files(false))) {
            Observation obs = observation(rt, 0f);
            assertArrayEquals(target(obs), chunk(rt, 0, obs), 1e-4f);
            Observation other = observation(rt, 0.5f);
            assertArrayEquals(target(other), chunk(rt, 2, other), 1e-4f, "a new prefix for the new observation");
            assertEquals(2, rt.graphLatencies().get("prefix").count(), "the prefix once per chunk");
            assertEquals(2 * N_STEPS, rt.graphLatencies().get("step").count(), "the step graph n_steps per chunk");
        }
    }

    @Test
    void reversedTimeIntegratesFromOneDownToZero() {
        try (PolicyRuntime rt = load(manifest(SamplerSpec.newBuilder().setIntegrator(Integrator.EULER)
                .setNSteps(8).setReverseTime(true)).build(), files(true))) {
            Observation obs = observation(rt, 0.2f);
            assertArrayEquals(target(obs), chunk(rt, 0, obs), 1e-4f);
        }
    }

    @Test
    void guidanceWithAKnownGradientActsInTheLastFractionOfTheStepsOnly() {
        float[] goal = TestGraphs.random(14, H * A, 1.0);
        float scale = 0.25f;
        float fraction = 0.3f;
        Map<String, byte[]> files = files(false);
        files.put("guidance.onnx", TestGraphs.quadraticGuidance(H, A, goal));
        BundleManifest m = manifest(SamplerSpec.newBuilder().setIntegrator(Integrator.EULER).setNSteps(N_STEPS)
                .setGuidanceFraction(fraction).setGuidanceScale(scale))
                .addGraphs(graph(GraphRole.GUIDANCE, "guidance.onnx", List.of(f32("sample", 1, H, A)),
                        List.of(f32("gradient", 1, H, A))))
                .build();
        float[] noise = new float[H * A];
        new GaussianNoise(7).fill(noise, noise.length);
        try (PolicyRuntime rt = PolicyRuntime.load(TestBundles.write(dir, m, files), OrtSettings.cpu(),
                new PolicyRuntime.Options().clock(clock).noise(new GaussianNoise(7)))) {
            Observation obs = observation(rt, 0f);
            float[] got = chunk(rt, 0, obs);
            assertEquals(3, rt.graphLatencies().get("guidance").count(), "ceil(0.3 * 10) = 3 guided steps");
            // The same loop in plain Java: Euler on v = (target - x) / (1 - t), then x -= s (x - goal)
            // in steps 7, 8 and 9.
            float[] target = target(obs);
            float[] x = noise.clone();
            for (int i = 0; i < N_STEPS; i++) {
                float t = (float) i / N_STEPS;
                for (int k = 0; k < x.length; k++) {
                    x[k] += (1f / N_STEPS) * ((target[k] - x[k]) / (1f - t));
                }
                if (i >= 7) {
                    for (int k = 0; k < x.length; k++) {
                        x[k] -= scale * (x[k] - goal[k]);
                    }
                }
            }
            assertArrayEquals(x, got, 1e-4f);
            // The last Euler step lands on the target, so the result is one guidance step from it.
            for (int k = 0; k < x.length; k++) {
                assertEquals(target[k] - scale * (target[k] - goal[k]), got[k], 1e-4f);
            }
        }
    }

    @Test
    void ddimOnAnExactEpsilonPredictorRecoversTheCleanChunk() {
        for (BetaSchedule schedule : new BetaSchedule[] {BetaSchedule.SQUAREDCOS_CAP_V2, BetaSchedule.LINEAR}) {
            int trainSteps = 100;
            double[] abar = NoiseSchedules.alphasCumprod(schedule, trainSteps, 1e-4, 0.02);
            float[] clean = TestGraphs.random(15, H * A, 0.8);
            BundleManifest m = TestBundles.unbounded(TestBundles.manifest("ddim-test", PolicyMode.FLOW, H, 2, 1, 10))
                    .addGraphs(graph(GraphRole.STEP, "step.onnx", List.of(f32("sample", 1, H, A), i64("flow_time", 1)),
                            List.of(f32("epsilon", 1, H, A))))
                    .setSampler(SamplerSpec.newBuilder().setIntegrator(Integrator.DDIM).setNSteps(10)
                            .setTrainTimesteps(trainSteps).setBetaSchedule(schedule))
                    .build();
            Path bundle = TestBundles.write(dir.resolve(schedule.name()), m,
                    Map.of("step.onnx", TestGraphs.exactEpsilonStep(H, A, clean, abar)));
            try (PolicyRuntime rt = PolicyRuntime.load(bundle, OrtSettings.cpu(),
                    new PolicyRuntime.Options().clock(clock).noiseSeed(3))) {
                assertArrayEquals(clean, chunk(rt, 0, rt.newObservation()), 1e-4f, schedule.name());
                assertEquals(10, rt.graphLatencies().get("step").count());
            }
        }
    }

    @Test
    void ddimTimestepsAreSpacedOverTheTrainingSchedule() {
        double[] abar = NoiseSchedules.alphasCumprod(BetaSchedule.LINEAR, 100, 1e-4, 0.02);
        DdimIntegrator ddim = new DdimIntegrator(10, abar);
        assertEquals(90.0, ddim.time(0));
        assertEquals(0.0, ddim.time(9));
        // The linear schedule's first cumulative product is 1 - beta_start.
        assertEquals(1 - 1e-4, abar[0], 1e-12);
        EulerIntegrator euler = new EulerIntegrator(4, true);
        assertEquals(1.0, euler.time(0));
        assertEquals(0.25, euler.time(3));
    }
}
