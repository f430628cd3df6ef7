package io.tendon.learner.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tendon.learner.config.LearnerConfig;
import io.tendon.learner.config.TestConfigs;
import io.tendon.learner.nn.NetTesting;
import io.tendon.learner.policy.PolicyBundle;
import io.tendon.learner.replay.Batch;
import io.tendon.learner.train.SyntheticData;
import io.tendon.learner.train.TrainingRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Learner benchmarks (run with -Pbench): critic steps per second for K = 2 and 10 (batched and
 * as separate networks), the same K = 10 step as bare LibTorch, residual steps, and resident
 * memory growth. Shapes: batch 256, hidden 2 x 256, state 64 (latent 40 + proprio 12 + wrench
 * 12), chunk 16 x 13, one LibTorch thread. Every rate is the median of several alternating runs
 * in this one JVM, taken in small interleaved blocks. Resident memory: the slope of VmRSS over
 * {@code tendon.bench.rss-steps} (default 3000) online steps of one critic plus one residual
 * update each, after 1000 warm-up steps, per 100k gradient steps. Writes learner/target/bench/learner.json.
 */
@Tag("bench")
class LearnerBenchTest {

    private static final int REPS = 5;
    private static final int ROUNDS = 8;

    @TempDir
    Path dir;

    private LearnerConfig config(int members, boolean batched, int hidden, int batch) throws Exception {
        Path bundle = dir.resolve("bundle");
        if (!Files.exists(bundle)) {
            io.tendon.learner.train.TrainerTestAccess.bundle(bundle);
        }
        Map<String, String> m = new HashMap<>();
        m.put("tendon.train.batch-size", Integer.toString(batch));
        m.put("tendon.train.stages", "ONLINE_RESIDUAL");
        m.put("tendon.critic.ensemble-size", Integer.toString(members));
        m.put("tendon.critic.batched", Boolean.toString(batched));
        m.put("tendon.critic.hidden", hidden + "," + hidden);
        m.put("tendon.residual.hidden", hidden + "," + hidden);
        m.put("tendon.value.hidden", hidden + "," + hidden);
        m.put("tendon.bc.hidden", hidden + "," + hidden);
        m.put("tendon.policy.bundle-dir", bundle.toString());
        return TestConfigs.learner(m);
    }

    /** Replay stand-in: a few pre-generated batches copied out in turn, as a replay copies its rows. */
    private static final class Pool {
        private final Batch[] batches;
        private int next;

        Pool(TrainingRun run) {
            batches = new Batch[4];
            SyntheticData data = new SyntheticData(1, Map.of());
            for (int i = 0; i < batches.length; i++) {
                batches[i] = run.newBatch();
                data.replay().sample(batches[i]);
            }
        }

        void sample(Batch into) {
            Batch b = batches[next++ % batches.length];
            System.arraycopy(b.state, 0, into.state, 0, b.state.length);
            System.arraycopy(b.action, 0, into.action, 0, b.action.length);
            System.arraycopy(b.policyAction, 0, into.policyAction, 0, b.policyAction.length);
            System.arraycopy(b.rewards, 0, into.rewards, 0, b.rewards.length);
            System.arraycopy(b.validMask, 0, into.validMask, 0, b.validMask.length);
            System.arraycopy(b.interventionMask, 0, into.interventionMask, 0, b.interventionMask.length);
            System.arraycopy(b.nextState, 0, into.nextState, 0, b.nextState.length);
            System.arraycopy(b.terminated, 0, into.terminated, 0, b.terminated.length);
            System.arraycopy(b.weight, 0, into.weight, 0, b.weight.length);
            into.size = b.size;
        }
    }

    /** Runs {@code step} {@code steps} times (warm-up). */
    private static void warmUp(int steps, Runnable step) {
        for (int i = 0; i < steps; i++) {
            step.run();
        }
    }

    private static double median(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long rssKb() throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS");
    }

    @Test
    void learnerBenchmarks() throws Exception {
        NetTesting.cpu();
        TrainingRun k2 = new TrainingRun(config(2, true, 256, 256), NetTesting.cpu(), Optional.of(bundle()));
        TrainingRun k10 = new TrainingRun(config(10, true, 256, 256), NetTesting.cpu(), Optional.of(bundle()));
        TrainingRun k10separate = new TrainingRun(config(10, false, 256, 256), NetTesting.cpu(), Optional.of(bundle()));
        RawCriticStep raw = new RawCriticStep(10, 64, 208, 16, 256, 256);
        Pool pool = new Pool(k2);
        Batch batch = k2.newBatch();
        Runnable criticK2 = () -> {
            pool.sample(batch);
            k2.onlineCriticStep(batch);
        };
        Runnable criticK10 = () -> {
            pool.sample(batch);
            k10.onlineCriticStep(batch);
        };
        Runnable criticK10Separate = () -> {
            pool.sample(batch);
            k10separate.onlineCriticStep(batch);
        };
        Runnable rawK10 = raw::step;
        Runnable residual = () -> {
            pool.sample(batch);
            k2.residualStep(batch);
        };
        Runnable[] kinds = {criticK2, criticK10, criticK10Separate, rawK10, residual};
        // Small blocks, interleaved round by round, so that a neighbour's load on a shared machine
        // slows every kind alike; each of REPS runs is ROUNDS rounds, and rates are their medians.
        int[] block = {4, 1, 1, 1, 4};
        for (int k = 0; k < kinds.length; k++) {
            warmUp(3 * block[k], kinds[k]);
        }
        double[][] rates = new double[kinds.length][REPS];
        for (int rep = 0; rep < REPS; rep++) {
            long[] nanos = new long[kinds.length];
            for (int round = 0; round < ROUNDS; round++) {
                for (int k = 0; k < kinds.length; k++) {
                    long t0 = System.nanoTime();
                    for (int i = 0; i < block[k]; i++) {
                        kinds[k].run();
                    }
                    nanos[k] += System.nanoTime() - t0;
                }
            }
            for (int k = 0; k < kinds.length; k++) {
                rates[k][rep] = (double) block[k] * ROUNDS * 1e9 / nanos[k];
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put("critic_steps_per_s_k2", median(rates[0]));
        out.put("critic_steps_per_s_k10", median(rates[1]));
        out.put("critic_steps_per_s_k10_separate", median(rates[2]));
        out.put("ensemble_batching_speedup", median(rates[1]) / median(rates[2]));
        out.put("raw_libtorch_steps_per_s_k10", median(rates[3]));
        out.put("learner_vs_raw_ratio", median(rates[1]) / median(rates[3]));
        out.put("residual_steps_per_s", median(rates[4]));
        k10.close();
        k10separate.close();

        // Resident memory over many critic+residual steps, after a warm-up, extrapolated to 100k.
        Runnable online = () -> {
            pool.sample(batch);
            k2.onlineCriticStep(batch);
            k2.residualStep(batch);
        };
        for (int i = 0; i < 1000; i++) {
            online.run();
        }
        // A leak grows linearly with steps; heap sizing and allocator arenas settle early. So: the
        // least-squares slope of VmRSS against steps over the last two thirds of the samples.
        int measured = Integer.getInteger("tendon.bench.rss-steps", 3000);
        int every = Math.max(1, measured / 24);
        List<double[]> samples = new ArrayList<>();
        for (int i = 0; i <= measured; i++) {
            if (i % every == 0) {
                samples.add(new double[] {2.0 * i, rssKb() / 1024.0});
            }
            if (i < measured) {
                online.run();
            }
        }
        List<double[]> tail = samples.subList(samples.size() / 3, samples.size());
        double mx = tail.stream().mapToDouble(p -> p[0]).average().orElseThrow();
        double my = tail.stream().mapToDouble(p -> p[1]).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        for (double[] p : tail) {
            sxy += (p[0] - mx) * (p[1] - my);
            sxx += (p[0] - mx) * (p[0] - mx);
        }
        out.put("rss_growth_mb_per_100k_steps", sxy / sxx * 100_000.0);
        out.put("rss_total_growth_mb", samples.get(samples.size() - 1)[1] - samples.get(0)[1]);
        out.put("rss_steps_measured", 2.0 * measured);
        k2.close();

        Path file = Path.of("target", "bench", "learner.json");
        Files.createDirectories(file.getParent());
        String json = out.entrySet().stream().map(e -> "  \"" + e.getKey() + "\": " + String.format("%.4f", e.getValue()))
                .collect(Collectors.joining(",\n", "{\n", "\n}\n"));
        Files.writeString(file, json);
        System.out.println("learner benchmarks (" + file.toAbsolutePath() + "):\n" + json);
        for (double v : out.values()) {
            assertTrue(Double.isFinite(v));
        }
    }

    private PolicyBundle bundle() throws Exception {
        return PolicyBundle.read(dir.resolve("bundle"));
    }

}
