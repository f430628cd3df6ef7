package io.tendon.edge.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.onnxruntime.RunOptions;
import org.bytedeco.onnxruntime.Session;
import org.bytedeco.onnxruntime.Value;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy runtime benchmarks (run with -Pbench); results in target/bench/policy.json.
 *
 * <ul>
 *   <li>infer_p50_us / infer_p99_us: one chunk of the reference head (MLP 64 -> 256 -> 256 ->
 *       16 x 13, batch 1, one intra-op thread) through the runtime's inference path: the
 *       observation normalised and written into the bound input, the bound run, the chunk read
 *       out and denormalised (the runtime's own inference timer);</li>
 *   <li>step_p50_us / step_p99_us: the whole policy step around it: inference, finite check,
 *       bounds, temporal ensembling and the plan published to the executor;</li>
 *   <li>ort_direct_p50_us: the same session called the plain way, {@code Session.Run} with
 *       pre-created input and output values (input copy and read-out included), in the same run;</li>
 *   <li>ort_iobinding_p50_us: the same session through an IoBinding with no Java work at all;</li>
 *   <li>runtime_overhead_ratio = infer_p50_us / ort_direct_p50_us;</li>
 *   <li>policy_step_alloc_bytes: Java heap bytes per policy tick on the stepping thread;</li>
 *   <li>fast_step_p99_us: a two-rate fast tick through the runtime (window of 3-8 wrench frames,
 *       the reference fast graph, the per-row residual, the plan), slow ticks excluded;</li>
 *   <li>flow_chunk_p50_us: one flow chunk through the runtime: the prefix once and 10 Euler steps
 *       of the reference step graph (MLP 208 + 1 + 64 -> 256 -> 256 -> 208).</li>
 * </ul>
 * Each figure is the median over {@link #RUNS} runs of {@link #ITERATIONS} calls.
 */
@Tag("bench")
class PolicyBenchmarkTest {

    static final int RUNS = 5;
    static final int ITERATIONS = 3000;

    @TempDir
    Path dir;

    @Test
    void policyRuntimeBenchmarks() throws IOException {
        Map<String, Double> results = new LinkedHashMap<>();
        chunkHead(results);
        fastStep(results);
        flowChunk(results);
        Path out = Path.of("target", "bench", "policy.json");
        Files.createDirectories(out.getParent());
        StringBuilder json = new StringBuilder("{\n");
        int i = 0;
        for (Map.Entry<String, Double> e : results.entrySet()) {
            json.append("  \"").append(e.getKey()).append("\": ").append(round(e.getValue()))
                    .append(++i < results.size() ? ",\n" : "\n");
        }
        json.append("}\n");
        Files.writeString(out, json, StandardCharsets.UTF_8);
        System.out.println("policy benchmarks (" + out.toAbsolutePath() + "):\n" + json);
        assertEquals(0.0, results.get("policy_step_alloc_bytes"), "a policy step must not allocate");
    }

    private void chunkHead(Map<String, Double> results) {
        TestBundles.ManualClock clock = new TestBundles.ManualClock();
        try (PolicyRuntime rt = PolicyRuntime.load(ReferenceBundles.chunkHead(dir.resolve("head")), OrtSettings.cpu(),
                new PolicyRuntime.Options().clock(clock))) {
            BareCall bare = new BareCall(rt.graph("head").session(), ReferenceBundles.LATENT, ReferenceBundles.H * 13);
            Observation obs = rt.newObservation();
            int exec = rt.bundle().execHorizon;
            long period = rt.periodNanos();
            long[] tick = {0};
            long[] runtimeTimes = new long[ITERATIONS];
            long[] inferTimes = new long[ITERATIONS];
            long[] directTimes = new long[ITERATIONS];
            long[] bindingTimes = new long[ITERATIONS];
            double[] p50 = new double[RUNS];
            double[] p99 = new double[RUNS];
            double[] stepP50 = new double[RUNS];
            double[] stepP99 = new double[RUNS];
            double[] direct = new double[RUNS];
            double[] binding = new double[RUNS];
            float[] input = new float[ReferenceBundles.LATENT];
            float[] output = new float[ReferenceBundles.H * 13];
            for (int r = -1; r < RUNS; r++) { // run -1 warms up
                for (int i = 0; i < ITERATIONS; i++) {
                    ReferenceBundles.observe(obs, tick[0], tick[0] * period);
                    long t = tick[0] * period;
                    clock.now = t + 1000;
                    long start = System.nanoTime();
                    StepOutcome outcome = rt.step(tick[0], t, obs);
                    runtimeTimes[i] = System.nanoTime() - start;
                    inferTimes[i] = rt.inferenceLatency().lastNanos();
                    assertEquals(StepOutcome.PUBLISHED, outcome);
                    tick[0] += exec; // every measured step computes a chunk
                }
                for (int i = 0; i < ITERATIONS; i++) {
                    System.arraycopy(obs.features, 0, input, 0, input.length);
                    input[0] = i;
                    long start = System.nanoTime();
                    bare.run(input, output);
                    directTimes[i] = System.nanoTime() - start;
                }
                BoundGraph head = rt.graph("head");
                for (int i = 0; i < ITERATIONS; i++) {
                    long start = System.nanoTime();
                    head.run();
                    bindingTimes[i] = System.nanoTime() - start;
                }
                if (r >= 0) {
                    p50[r] = quantileMicros(inferTimes, 0.5);
                    p99[r] = quantileMicros(inferTimes, 0.99);
                    stepP50[r] = quantileMicros(runtimeTimes, 0.5);
                    stepP99[r] = quantileMicros(runtimeTimes, 0.99);
                    direct[r] = quantileMicros(directTimes, 0.5);
                    binding[r] = quantileMicros(bindingTimes, 0.5);
                }
            }
            bare.close();
            results.put("infer_p50_us", median(p50));
            results.put("infer_p99_us", median(p99));
            results.put("step_p50_us", median(stepP50));
            results.put("step_p99_us", median(stepP99));
            results.put("ort_direct_p50_us", median(direct));
            results.put("ort_iobinding_p50_us", median(binding));
            results.put("runtime_overhead_ratio", median(p50) / median(direct));
            results.put("runtime_overhead_vs_iobinding_ratio", median(p50) / median(binding));
            results.put("policy_step_alloc_bytes", (double) allocationPerStep(rt, clock, obs, tick, exec));
        }
    }

    private static long allocationPerStep(PolicyRuntime rt, TestBundles.ManualClock clock, Observation obs, long[] tick,
            int exec) {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long period = rt.periodNanos();
        long before = mx.getCurrentThreadAllocatedBytes();
        int steps = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long t = tick[0] * period;
            ReferenceBundles.observe(obs, tick[0], t);
            clock.now = t + 1000;
            rt.step(tick[0], t, obs);
            tick[0] += i % 2 == 0 ? 1 : exec - 1; // chunk ticks and idle ticks alike
            steps++;
        }
        return (mx.getCurrentThreadAllocatedBytes() - before) / steps;
    }

    private void fastStep(Map<String, Double> results) {
        TestBundles.ManualClock clock = new TestBundles.ManualClock();
        try (PolicyRuntime rt = PolicyRuntime.load(ReferenceBundles.twoRate(dir.resolve("two-rate")), OrtSettings.cpu(),
                new PolicyRuntime.Options().clock(clock).noiseSeed(1))) {
            Observation obs = rt.newObservation();
            long period = rt.periodNanos();
            int slowInterval = rt.bundle().slowInterval;
            long[] times = new long[ITERATIONS];
            double[] p99 = new double[RUNS];
            long tick = 0;
            for (int r = -1; r < RUNS; r++) {
                int n = 0;
                while (n < ITERATIONS) {
                    long t = tick * period;
                    ReferenceBundles.observe(obs, tick, t);
                    clock.now = t + 1000;
                    long start = System.nanoTime();
                    rt.step(tick, t, obs);
                    long took = System.nanoTime() - start;
                    if (tick % slowInterval != 0) { // ticks without a slow update
                        times[n++] = took;
                    }
                    tick++;
                }
                if (r >= 0) {
                    p99[r] = quantileMicros(times, 0.99);
                }
            }
            assertTrue(rt.stats().published() > ITERATIONS);
            results.put("fast_step_p99_us", median(p99));
        }
    }

    private void flowChunk(Map<String, Double> results) {
        TestBundles.ManualClock clock = new TestBundles.ManualClock();
        try (PolicyRuntime rt = PolicyRuntime.load(ReferenceBundles.flow(dir.resolve("flow"), false), OrtSettings.cpu(),
                new PolicyRuntime.Options().clock(clock).noiseSeed(1))) {
            Observation obs = rt.newObservation();
            long period = rt.periodNanos();
            int exec = rt.bundle().execHorizon;
            int iterations = ITERATIONS / 3;
            long[] times = new long[iterations];
            double[] p50 = new double[RUNS];
            long tick = 0;
            for (int r = -1; r < RUNS; r++) {
                for (int i = 0; i < iterations; i++) {
                    long t = tick * period;
                    ReferenceBundles.observe(obs, tick, t);
                    clock.now = t + 1000;
                    long start = System.nanoTime();
                    assertEquals(StepOutcome.PUBLISHED, rt.step(tick, t, obs));
                    times[i] = System.nanoTime() - start;
                    tick += exec;
                }
                if (r >= 0) {
                    p50[r] = quantileMicros(times, 0.5);
                }
            }
            assertEquals(10, rt.graphLatencies().get("step").count() / rt.graphLatencies().get("prefix").count());
            results.put("flow_chunk_p50_us", median(p50));
        }
    }

    /**
     * The plain ONNX Runtime call on a session: input and output values created once over
     * native buffers, {@code Session.Run(names, values)} per call, input copied in and output
     * copied out as any caller must.
     */
    static final class BareCall implements AutoCloseable {
        private final Session session;
        private final RunOptions options = new RunOptions();
        private final FloatPointer in;
        private final FloatPointer out;
        private final java.nio.FloatBuffer inBuf;
        private final java.nio.FloatBuffer outBuf;
        private final Value inValue;
        private final Value outValue;
        private final PointerPointer<?> inNames;
        private final PointerPointer<?> outNames;

        BareCall(Session session, int inputs, int outputs) {
            this.session = session;
            in = new FloatPointer(inputs);
            out = new FloatPointer(outputs);
            inBuf = in.asBuffer();
            outBuf = out.asBuffer();
            inValue = Value.CreateTensorFloat(OnnxEnvironment.cpuMemory().asOrtMemoryInfo(), in, inputs,
                    new LongPointer(1, inputs), 2);
            outValue = Value.CreateTensorFloat(OnnxEnvironment.cpuMemory().asOrtMemoryInfo(), out, outputs,
                    new LongPointer(1, ReferenceBundles.H, 13), 3);
            // The String form: JavaCPP's PointerPointer(BytePointer...) crashed ORT's Run here.
            inNames = new PointerPointer<>("latent");
            outNames = new PointerPointer<>("actions");
        }

        void run(float[] input, float[] output) {
            inBuf.put(0, input, 0, input.length);
            session.Run(options, inNames, inValue, 1, outNames, outValue, 1);
            outBuf.get(0, output, 0, output.length);
        }

        @Override
        public void close() {
            inValue.close();
            outValue.close();
            options.close();
        }
    }

    static double quantileMicros(long[] nanos, double q) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        int index = Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(q * sorted.length) - 1));
        return sorted[index] / 1000.0;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    private static double round(double v) {
        return Math.round(v * 1000.0) / 1000.0;
    }
}
