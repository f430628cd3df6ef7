package io.tendon.edge.policy;

import io.tendon.edge.control.Quaternions;
import static io.tendon.edge.policy.TestBundles.A;
import static io.tendon.edge.policy.TestBundles.f32;
import static io.tendon.edge.policy.TestBundles.graph;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.edge.control.Targets;
import io.tendon.edge.policy.TestGraphs.Act;
import io.tendon.edge.policy.TestGraphs.Mlp;
import io.tendon.edge.policy.TestGraphs.Port;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.Normalisation;
import io.tendon.schemas.v1.PolicyMode;
import io.tendon.schemas.v1.SamplerSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CHUNK mode against real ONNX Runtime: encoder -> head (latent, state, noise) -> residual, with
 * normalisation, latency drop, executed horizon, temporal ensembling, bounds, NaN refusal and
 * deadlines, every number checked against a plain-Java reference of the same graphs.
 */
class ChunkModeTest {

    static final int H = 4;
    static final int EXEC = 2;
    static final int LATENCY = 1;
    static final int F = 5;
    static final int Z = 8;
    static final int S = 3;
    static final double POLICY_HZ = 10;
    static final long PERIOD = 100_000_000L;
    static final float NOISE_SCALE = 0.5f;
    static final float LAMBDA = 0.5f;

    @TempDir
    Path dir;

    final Mlp encoder = new Mlp(1, Act.TANH, F, 16, Z);
    final Mlp head = new Mlp(2, Act.RELU, Z + S, 32, H * A);
    final Mlp residual = new Mlp(3, Act.RELU, Z + S + H * A, H * A);
    final float[] obsMean = {0.1f, -0.2f, 0.3f, 0f, 1f};
    final float[] obsStd = {1f, 2f, 0.5f, 1f, 4f};
    final float[] stateMean = {0.5f, 0f, -1f};
    final float[] stateStd = {0.1f, 1f, 2f};
    final float[] actMean = new float[A];
    final float[] actStd = new float[A];
    final TestBundles.ManualClock clock = new TestBundles.ManualClock();
    /** The noise the next chunk gets: value i is {@code noiseBase + 0.01 * i}. */
    float noiseBase = 0.1f;
    float[] lastNoise;

    @BeforeEach
    void statistics() {
        for (int i = 0; i < A; i++) {
            actMean[i] = i == 12 ? 500f : i < 3 || (i >= 6 && i < 9) ? 0.3f : 0f;
            actStd[i] = i == 12 ? 100f : i < 3 || (i >= 6 && i < 9) ? 0.1f : 0.2f;
        }
    }

    BundleManifest.Builder manifest(boolean withResidual) {
        BundleManifest.Builder m = TestBundles.manifest("chunk-test", PolicyMode.CHUNK, H, EXEC, LATENCY, POLICY_HZ)
                .addGraphs(graph(GraphRole.ENCODER, "encoder.onnx", List.of(f32("observation", 1, F)),
                        List.of(f32("latent", 1, Z))))
                .addGraphs(graph(GraphRole.HEAD, "head.onnx",
                        List.of(f32("latent", 1, Z), f32("state", 1, S), f32("noise", 1, H, A)),
                        List.of(f32("actions", 1, H, A))))
                .setNormalisation(Normalisation.newBuilder()
                        .addAllObservationMean(boxed(obsMean)).addAllObservationStd(boxed(obsStd))
                        .addAllStateMean(boxed(stateMean)).addAllStateStd(boxed(stateStd))
                        .addAllActionMean(boxed(actMean)).addAllActionStd(boxed(actStd)))
                .setSampler(SamplerSpec.newBuilder().setEnsembleDecay(0.5f))
                .setResidualScale(LAMBDA);
        if (withResidual) {
            m.addGraphs(graph(GraphRole.RESIDUAL, "residual.onnx",
                    List.of(f32("latent", 1, Z), f32("state", 1, S), f32("actions", 1, H, A)),
                    List.of(f32("correction", 1, H, A))));
        }
        return m;
    }

    Path writeBundle(BundleManifest manifest) {
        return TestBundles.write(dir, manifest, Map.of(
                "encoder.onnx", TestGraphs.mlpGraph(encoder, List.of(Port.f("observation", -1, F)),
                        Port.f("latent", -1, Z), null, 0),
                "head.onnx", TestGraphs.mlpGraph(head, List.of(Port.f("latent", -1, Z), Port.f("state", -1, S)),
                        Port.f("actions", -1, H, A), Port.f("noise", -1, H, A), NOISE_SCALE),
                "residual.onnx", TestGraphs.mlpGraph(residual,
                        List.of(Port.f("latent", -1, Z), Port.f("state", -1, S), Port.f("actions", -1, H, A)),
                        Port.f("correction", -1, H, A), null, 0)));
    }

    PolicyRuntime load(BundleManifest manifest) {
        return PolicyRuntime.load(writeBundle(manifest), OrtSettings.cpu(), new PolicyRuntime.Options()
                .clock(clock)
                .noise((x, n) -> {
                    for (int i = 0; i < n; i++) {
                        x[i] = noiseBase + 0.01f * i;
                    }
                    lastNoise = java.util.Arrays.copyOf(x, n);
                }));
    }

    Observation observation(PolicyRuntime rt, float shift) {
        Observation o = rt.newObservation();
        for (int i = 0; i < F; i++) {
            o.features[i] = 0.2f * i - 0.3f + shift;
        }
        for (int i = 0; i < S; i++) {
            o.state[i] = 0.4f - 0.3f * i + shift;
        }
        return o;
    }

    /** The chunk the bundle must produce for {@code obs} and the noise it got, raw units, after the residual. */
    float[] expected(Observation obs, float[] noise, boolean withResidual) {
        float[] f = new float[F];
        for (int i = 0; i < F; i++) {
            f[i] = (obs.features[i] - obsMean[i]) / obsStd[i];
        }
        float[] s = new float[S];
        for (int i = 0; i < S; i++) {
            s[i] = (obs.state[i] - stateMean[i]) / stateStd[i];
        }
        float[] z = encoder.forward(f);
        float[] a = TestGraphs.mlpReference(head, List.of(z, s), noise, NOISE_SCALE);
        for (int i = 0; i < a.length; i++) {
            a[i] = a[i] * actStd[i % A] + actMean[i % A];
        }
        if (withResidual) {
            float[] c = TestGraphs.mlpReference(residual, List.of(z, s, a.clone()), null, 0);
            for (int i = 0; i < a.length; i++) {
                a[i] += LAMBDA * c[i];
            }
        }
        return a;
    }

    @Test
    void headChunkIsNormalisedDenormalisedAndComposedWithTheResidualExactly() {
        try (PolicyRuntime rt = load(manifest(true).build())) {
            Observation obs = observation(rt, 0f);
            clock.now = 2_000_000L; // 2 ms after the tick
            assertEquals(StepOutcome.PUBLISHED, rt.step(0, 0, obs));
            ChunkRecord record = rt.proposals().take();
            assertNotNull(record);
            float[] want = expected(obs, lastNoise, true);
            assertArrayEquals(want, java.util.Arrays.copyOf(record.actions, H * A), 2e-4f);
            assertEquals(H, record.rows);
            assertEquals(3, record.policyVersion);
            float[] z = encoder.forward(normalised(obs));
            assertArrayEquals(z, record.latent, 1e-5f);
            assertEquals(2.0, record.inferenceDelayControlSteps, 1e-9, "2 ms at 1 kHz is 2 control steps");
            assertEquals(2.0, rt.stats().lastInferenceDelayControlSteps(), 1e-9);

            // Without the residual graph, the same observation gives the base chunk.
            float[] base = expected(obs, lastNoise, false);
            boolean differs = false;
            for (int i = 0; i < base.length; i++) {
                differs |= Math.abs(base[i] - want[i]) > 1e-3;
            }
            assertTrue(differs, "the residual must change the chunk");
        }
    }

    @Test
    void planDropsTheLatencyRowsExecutesTheHorizonAndInterpolatesForTheControlLoop() {
        try (PolicyRuntime rt = load(manifest(false).build())) {
            Observation obs = observation(rt, 0f);
            clock.now = 1_000_000L;
            assertEquals(StepOutcome.PUBLISHED, rt.step(0, 0, obs));
            float[] chunk = expected(obs, lastNoise, false);
            ActionPlan plan = rt.executor().publisher().take();
            assertNotNull(plan);
            // Row 0 (tick 0) is dropped: its time passes during inference. Rows 1..2 are executed,
            // row 3 is the interpolation end point.
            assertEquals(LATENCY, plan.firstTick);
            assertEquals(EXEC + 1, plan.count);
            assertEquals(LATENCY * PERIOD, plan.firstNanos);
            assertEquals(PERIOD, plan.periodNanos);
            for (int r = 0; r < plan.count; r++) {
                int row = (LATENCY + r) * A;
                assertEquals(chunk[row], plan.position[r * 3], 1e-5);
                assertEquals(chunk[row + 12], plan.stiffness[r * 6], 1e-3);
            }
        }
        // The same through the executor, as the control tick sees it.
        try (PolicyRuntime rt = load(manifest(false).build())) {
            Observation obs = observation(rt, 0f);
            clock.now = 1_000_000L;
            rt.step(0, 0, obs);
            float[] chunk = expected(obs, lastNoise, false);
            Targets t = new Targets();
            long halfway = PERIOD + PERIOD / 2; // between tick 1 and tick 2
            assertTrue(rt.executor().targetsAt(halfway, t));
            for (int k = 0; k < 3; k++) {
                assertEquals(0.5 * (chunk[A + k] + chunk[2 * A + k]), t.pose[k], 1e-5, "position is linear");
                assertEquals(0.5 * (chunk[A + 6 + k] + chunk[2 * A + 6 + k]), t.virtualTarget[k], 1e-5);
            }
            assertTrue(t.scalarStiffness);
            assertEquals(0.5 * (chunk[A + 12] + chunk[2 * A + 12]), t.stiffnessAlongTarget, 1e-3);
            assertFalse(t.human);
            assertEquals(1_000_000L, t.createdNanos, "the plan's creation time, for the watchdog");
            double[] q1 = new double[4];
            double[] q2 = new double[4];
            double[] q = new double[4];
            double[] rv = new double[3];
            Quaternions.exp(chunk[A + 3], chunk[A + 4], chunk[A + 5], q1, 0);
            Quaternions.exp(chunk[2 * A + 3], chunk[2 * A + 4], chunk[2 * A + 5], q2, 0);
            Quaternions.slerp(q1, 0, q2, 0, 0.5, q, 0);
            Quaternions.log(q, 0, rv, 0);
            assertArrayEquals(rv, new double[] {t.pose[3], t.pose[4], t.pose[5]}, 1e-6, "orientation is slerped");
        }
    }

    @Test
    void overlappingChunksAreBlendedByExponentialTemporalEnsembling() {
        double decay = 0.5;
        try (PolicyRuntime rt = load(manifest(false).build())) {
            Observation obs0 = observation(rt, 0f);
            clock.now = 1_000_000L;
            noiseBase = 0.1f;
            rt.step(0, 0, obs0);
            float[] c0 = expected(obs0, lastNoise, false);
            rt.executor().publisher().take();
            assertEquals(StepOutcome.IDLE, rt.step(1, PERIOD, obs0), "the next chunk is due after the horizon");
            Observation obs2 = observation(rt, 0.3f);
            noiseBase = -0.4f;
            clock.now = 2 * PERIOD + 1_000_000L;
            assertEquals(StepOutcome.PUBLISHED, rt.step(2, 2 * PERIOD, obs2));
            float[] c2 = expected(obs2, lastNoise, false);
            ActionPlan plan = rt.executor().publisher().take();
            // Tick 2 was committed by the first chunk; ticks 3..5 come from the new one, tick 3 blended.
            assertEquals(2, plan.firstTick);
            assertEquals(LATENCY + EXEC + 1, plan.count);
            assertEquals(c0[2 * A], plan.position[0], 1e-5, "the committed row is kept, not replaced");
            double w0 = Math.exp(-decay * 2); // chunk 0 is two ticks older than chunk 2
            for (int k = 0; k < 3; k++) {
                double blended = (w0 * c0[3 * A + k] + c2[A + k]) / (w0 + 1);
                assertEquals(blended, plan.position[3 + k], 1e-5, "tick 3: chunk 0 row 3 with chunk 2 row 1");
            }
            double stiff = (w0 * c0[3 * A + 12] + c2[A + 12]) / (w0 + 1);
            assertEquals(stiff, plan.stiffness[6], 1e-3);
            // Tick 4 only chunk 2 covers (chunk 0 ends at tick 3).
            assertEquals(c2[2 * A], plan.position[6], 1e-5);
        }
    }

    @Test
    void nonFiniteActionsAreRefusedAndCountedAndTheControlLoopKeepsItsPlan() {
        try (PolicyRuntime rt = load(manifest(false).build())) {
            Observation obs = observation(rt, 0f);
            clock.now = 1_000_000L;
            rt.step(0, 0, obs);
            Targets t = new Targets();
            assertTrue(rt.executor().targetsAt(PERIOD, t));
            double before = t.pose[0];
            noiseBase = Float.NaN;
            clock.now = 2 * PERIOD + 1_000_000L;
            assertEquals(StepOutcome.NON_FINITE, rt.step(2, 2 * PERIOD, obs));
            assertEquals(1, rt.stats().nonFinite());
            assertEquals(1, rt.stats().published());
            assertNull(rt.executor().publisher().take(), "nothing new was published");
            // The executor still runs the old plan to its end, then holds.
            Targets held = new Targets();
            assertTrue(rt.executor().targetsAt(10 * PERIOD, held));
            assertFalse(rt.executor().targetsAt(10 * PERIOD + 1_000_000L, held), "past the end: keep the last targets");
            assertTrue(Double.isFinite(before));
            // The refused chunk is retried at the very next tick, not after a whole horizon.
            noiseBase = 0.2f;
            clock.now = 3 * PERIOD + 1_000_000L;
            assertEquals(StepOutcome.PUBLISHED, rt.step(3, 3 * PERIOD, obs));
        }
    }

    @Test
    void outOfBoundsActionsAreClampedAndCounted() {
        BundleManifest.Builder m = manifest(false);
        // Position x may not exceed 0.3 m, stiffness not 450 N/m: the head's raw output does.
        m.getActionLayoutBuilder().setUpper(0, 0.3f).setUpper(12, 450f);
        try (PolicyRuntime rt = load(m.build())) {
            Observation obs = observation(rt, 0f);
            clock.now = 1_000_000L;
            assertEquals(StepOutcome.PUBLISHED, rt.step(0, 0, obs));
            float[] raw = expected(obs, lastNoise, false);
            int over = 0;
            for (int r = 0; r < H; r++) {
                over += raw[r * A] > 0.3f ? 1 : 0;
                over += raw[r * A + 12] > 450f ? 1 : 0;
            }
            assertTrue(over > 0, "the fixture must produce out-of-bounds values");
            assertEquals(over, rt.stats().clampedComponents());
            ChunkRecord rec = rt.proposals().take();
            for (int r = 0; r < H; r++) {
                assertTrue(rec.actions[r * A] <= 0.3f);
                assertTrue(rec.actions[r * A + 12] <= 450f);
            }
        }
    }

    @Test
    void aStepThatFinishesAfterItsDeadlineIsDiscardedAndCountedAsAMiss() {
        try (PolicyRuntime rt = load(manifest(false).build())) {
            Observation obs = observation(rt, 0f);
            assertEquals(PERIOD, rt.deadlineNanos(), "latency 1 step: one policy period");
            clock.now = PERIOD + 1; // the chunk became available after its first row was due
            assertEquals(StepOutcome.LATE, rt.step(0, 0, obs));
            assertEquals(1, rt.stats().misses());
            assertEquals(0, rt.stats().published());
            assertNull(rt.executor().publisher().take());
            assertTrue(rt.stats().lastInferenceDelayControlSteps() > 100, "the late delay is measured too");
            clock.now = PERIOD + 2_000_000L;
            assertEquals(StepOutcome.PUBLISHED, rt.step(1, PERIOD, obs), "retried at the next tick");
        }
    }

    @Test
    void ensembleDecayOverrideAndPolicyRateOverrideAreValidated() {
        Path bundle = writeBundle(manifest(false).build());
        var tooFast = new PolicyRuntime.Options().policyHz(2000);
        PolicyBundleException e = org.junit.jupiter.api.Assertions.assertThrows(PolicyBundleException.class,
                () -> PolicyRuntime.load(bundle, OrtSettings.cpu(), tooFast));
        assertTrue(e.getMessage().contains("2000.0 Hz") && e.getMessage().contains("control_hz"), e.getMessage());
        try (PolicyRuntime rt = PolicyRuntime.load(bundle, OrtSettings.cpu(),
                new PolicyRuntime.Options().policyHz(20).ensembleDecay(3))) {
            assertEquals(50_000_000L, rt.periodNanos());
            assertEquals(3.0, rt.ensembleDecay());
        }
    }

    private float[] normalised(Observation obs) {
        float[] f = new float[F];
        for (int i = 0; i < F; i++) {
            f[i] = (obs.features[i] - obsMean[i]) / obsStd[i];
        }
        return f;
    }

    static List<Float> boxed(float[] v) {
        List<Float> list = new ArrayList<>();
        for (float x : v) {
            list.add(x);
        }
        return list;
    }
}
