package io.tendon.edge.policy;

import static io.tendon.edge.policy.TestBundles.A;
import static io.tendon.edge.policy.TestBundles.f32;
import static io.tendon.edge.policy.TestBundles.graph;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.tendon.edge.policy.TestGraphs.Act;
import io.tendon.edge.policy.TestGraphs.Mlp;
import io.tendon.edge.policy.TestGraphs.Port;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.Integrator;
import io.tendon.schemas.v1.PolicyMode;
import io.tendon.schemas.v1.SamplerSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TWO_RATE mode: the slow graph runs every slow_interval ticks and its conditioning and a fresh
 * noise trajectory are cached; the fast graph runs every tick on the growing window of the
 * latest N = latency + k + n_obs wrench frames with the first N noise rows; the last row is
 * executed (after a per-row residual). Checked against a plain-Java replay of the same graphs.
 */
class TwoRateModeTest {

    static final int H = 16;
    static final int LATENCY = 1;
    static final int SLOW_INTERVAL = 3;
    static final int N_OBS = 2;
    static final int F = 4;
    static final int C = 6;
    static final float NOISE_SCALE = 0.5f;
    static final float LAMBDA = 0.3f;

    @TempDir
    Path dir;

    final Mlp slow = new Mlp(21, Act.TANH, N_OBS * F, 12, C);
    final Mlp residual = new Mlp(22, Act.RELU, F + A, A);
    final float[] wf = TestGraphs.random(23, 6 * A, 0.1);
    final float[] ws = TestGraphs.random(24, C * A, 0.5);
    final float[] bs = TestGraphs.random(25, A, 0.2);
    final TestBundles.ManualClock clock = new TestBundles.ManualClock();
    /** Every trajectory the runtime drew, in order. */
    final List<float[]> trajectories = new ArrayList<>();

    BundleManifest.Builder manifest(boolean withResidual) {
        BundleManifest.Builder m = TestBundles.unbounded(
                TestBundles.manifest("two-rate-test", PolicyMode.TWO_RATE, H, 1, LATENCY, 30))
                .addGraphs(graph(GraphRole.SLOW, "slow.onnx", List.of(f32("observation", 1, N_OBS, F)),
                        List.of(f32("conditioning", 1, C))))
                .setResidualScale(LAMBDA);
        if (withResidual) {
            m.addGraphs(graph(GraphRole.RESIDUAL, "residual.onnx", List.of(f32("latent", 1, F), f32("actions", 1, A)),
                    List.of(f32("correction", 1, A))));
        }
        m.getRatesBuilder().setSlowInterval(SLOW_INTERVAL).setNObsSteps(N_OBS).clearExecHorizon();
        return m;
    }

    Path bundle(BundleManifest m, byte[] fast) {
        return TestBundles.write(dir, m, Map.of(
                "slow.onnx", TestGraphs.mlpGraph(slow, List.of(Port.f("observation", -1, N_OBS, F)),
                        Port.f("conditioning", -1, C), null, 0),
                "fast.onnx", fast,
                "residual.onnx", TestGraphs.mlpGraph(residual, List.of(Port.f("latent", -1, F), Port.f("actions", -1, A)),
                        Port.f("correction", -1, A), null, 0)));
    }

    PolicyRuntime load(Path bundle) {
        return PolicyRuntime.load(bundle, OrtSettings.cpu(), new PolicyRuntime.Options().clock(clock).noise((x, n) -> {
            float base = trajectories.size();
            for (int i = 0; i < n; i++) {
                x[i] = (float) Math.sin(base + 0.37 * i);
            }
            trajectories.add(Arrays.copyOf(x, n));
        }));
    }

    static float[] features(int tick) {
        float[] f = new float[F];
        for (int i = 0; i < F; i++) {
            f[i] = (float) Math.cos(0.3 * tick + i);
        }
        return f;
    }

    static float[] wrench(int tick) {
        float[] w = new float[6];
        for (int i = 0; i < 6; i++) {
            w[i] = (float) (0.5 * Math.sin(0.7 * tick + 2 * i));
        }
        return w;
    }

    @Test
    void slowCachesConditioningAndNoiseWhileFastRunsEveryTickOnTheGrowingWindow() {
        BundleManifest m = manifest(true)
                .addGraphs(graph(GraphRole.FAST, "fast.onnx",
                        List.of(f32("wrench_window", 1, -1, 6), f32("conditioning", 1, C), f32("noise", 1, -1, A)),
                        List.of(f32("actions", 1, -1, A))))
                .build();
        try (PolicyRuntime rt = load(bundle(m, TestGraphs.causalFast(A, C, wf, ws, bs, NOISE_SCALE)))) {
            Observation obs = rt.newObservation();
            long period = rt.periodNanos();
            float[] cond = null;
            float[] latentAtSlow = null;
            int lastSlow = 0;
            for (int tick = 0; tick < 8; tick++) {
                System.arraycopy(features(tick), 0, obs.features, 0, F);
                System.arraycopy(wrench(tick), 0, obs.wrench, 0, 6);
                obs.stampNanos = tick * period;
                clock.now = tick * period + 500_000L;
                assertEquals(StepOutcome.PUBLISHED, rt.step(tick, tick * period, obs));
                if (tick % SLOW_INTERVAL == 0) {
                    lastSlow = tick;
                    float[] window = new float[N_OBS * F];
                    for (int i = 0; i < N_OBS; i++) {
                        System.arraycopy(features(Math.max(0, tick - N_OBS + 1 + i)), 0, window, i * F, F);
                    }
                    cond = slow.forward(window);
                    latentAtSlow = features(tick);
                }
                int k = tick - lastSlow;
                int n = LATENCY + k + N_OBS;
                float[] wrenchWindow = new float[n * 6];
                for (int i = 0; i < n; i++) {
                    System.arraycopy(wrench(Math.max(0, tick - n + 1 + i)), 0, wrenchWindow, i * 6, 6);
                }
                float[] trajectory = trajectories.get(trajectories.size() - 1);
                float[] rows = TestGraphs.causalFastReference(A, wf, ws, bs, NOISE_SCALE, cond, wrenchWindow, trajectory, n);
                float[] want = Arrays.copyOfRange(rows, (n - 1) * A, n * A);
                float[] corr = TestGraphs.mlpReference(residual, List.of(latentAtSlow, want.clone()), null, 0);
                for (int j = 0; j < A; j++) {
                    want[j] += LAMBDA * corr[j];
                }
                ChunkRecord rec = rt.proposals().take();
                assertNotNull(rec);
                assertEquals(1, rec.rows);
                assertEquals(tick + LATENCY, rec.firstTick, "the row is executed latency_steps after its tick");
                assertArrayEquals(want, Arrays.copyOf(rec.actions, A), 2e-4f, "tick " + tick + " (N = " + n + ")");
                ActionPlan plan = rt.executor().publisher().take();
                assertEquals(tick == 0 ? 1 : 2, plan.count, "from the previous row to the new one");
                assertEquals(tick + LATENCY - (tick == 0 ? 0 : 1), plan.firstTick);
            }
            assertEquals(3, rt.slowRuns(), "slow at ticks 0, 3 and 6");
            assertEquals(3, trajectories.size(), "one fresh noise trajectory per slow update");
            assertEquals(H * A, trajectories.get(0).length, "the trajectory is H x A");
            assertEquals(8, rt.graphLatencies().get("fast").count());
            assertEquals(3, rt.graphLatencies().get("slow").count());
        }
    }

    @Test
    void aFastStepGraphIsIntegratedByTheSamplerOverTheWindow() {
        // No residual: the executed row is the integrated target itself.
        BundleManifest m = manifest(false)
                .addGraphs(graph(GraphRole.FAST, "fast.onnx",
                        List.of(f32("wrench_window", 1, -1, 6), f32("conditioning", 1, C), f32("sample", 1, -1, A),
                                f32("flow_time", 1, 1)),
                        List.of(f32("velocity", 1, -1, A))))
                .setSampler(SamplerSpec.newBuilder().setIntegrator(Integrator.EULER).setNSteps(4))
                .build();
        try (PolicyRuntime rt = load(bundle(m, TestGraphs.windowedClosedFormStep(A, C, wf, ws, bs)))) {
            Observation obs = rt.newObservation();
            long period = rt.periodNanos();
            for (int tick = 0; tick < 2; tick++) {
                System.arraycopy(features(tick), 0, obs.features, 0, F);
                System.arraycopy(wrench(tick), 0, obs.wrench, 0, 6);
                clock.now = tick * period + 100_000L;
                assertEquals(StepOutcome.PUBLISHED, rt.step(tick, tick * period, obs));
            }
            float[] window = new float[N_OBS * F];
            System.arraycopy(features(0), 0, window, 0, F);
            System.arraycopy(features(0), 0, window, F, F);
            float[] cond = slow.forward(window);
            int n = LATENCY + 1 + N_OBS;
            float[] wrenchWindow = new float[n * 6];
            for (int i = 0; i < n; i++) {
                System.arraycopy(wrench(Math.max(0, 1 - n + 1 + i)), 0, wrenchWindow, i * 6, 6);
            }
            float[] targets = TestGraphs.causalFastReference(A, wf, ws, bs, 0f, cond, wrenchWindow, new float[n * A], n);
            ChunkRecord rec = rt.proposals().take();
            assertArrayEquals(Arrays.copyOfRange(targets, (n - 1) * A, n * A), Arrays.copyOf(rec.actions, A), 2e-4f);
            assertEquals(2 * 4, rt.graphLatencies().get("fast").count(), "4 Euler steps per tick");
        }
    }
}
