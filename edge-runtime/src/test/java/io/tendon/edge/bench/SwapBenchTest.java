package io.tendon.edge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tendon.edge.policy.service.PolicyService;
import io.tendon.edge.runtime.ControlService;
import io.tendon.schemas.update.TrustedKeys;
import io.tendon.schemas.update.UpdateAssembler;
import io.tendon.schemas.v1.PolicyUpdate;
import io.tendon.testing.BenchJson;
import io.tendon.testing.KafkaBroker;
import io.tendon.testing.KafkaBrokerResource;
import io.tendon.testing.UpdateSigner;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * Policy-update swaps on a running edge (the simulator at 1 kHz on the wall clock, the policy on
 * its thread): from the publish call (signing, splitting and sending the parts in one transaction,
 * as a learner does) of a 1 MB residual to the new version running, over repeated swaps; control
 * ticks missed around the swaps against an equally long stretch without any; and the rate of the
 * receiver's verification (SHA-256 and Ed25519). Writes target/bench/swap.json.
 */
@QuarkusTest
@QuarkusTestResource(KafkaBrokerResource.class)
@TestProfile(SwapBenchTest.Profile.class)
@Tag("bench")
class SwapBenchTest {

    static final UpdateSigner KEY = new UpdateSigner();
    static final String TOPIC = "tendon.policy-updates.bench";
    static final String POLICY = "peg-insert";
    static final int SWAPS = Integer.getInteger("tendon.bench.swaps", 25);
    /** Hidden units of the residual: (208 + 40 + 24 + 208) x 4 bytes each, about 1 MB in all. */
    static final int HIDDEN = 546;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Path root = Files.createTempDirectory("tendon-swap-bench");
                Path bundle = root.resolve("bundle");
                Files.createDirectories(bundle);
                Files.writeString(bundle.resolve("manifest.json"), Files.readString(Path.of(
                        "src/test/resources/bundles/from-update/manifest.json")), StandardCharsets.UTF_8);
                KafkaBroker.shared().createTopics(1, List.of(TOPIC));
                Map<String, String> m = new HashMap<>();
                m.put("tendon.policy.bundle-dir", bundle.toString());
                m.put("tendon.edge.clock", "wall");
                m.put("tendon.edge.sim-expert", "none");
                m.put("tendon.edge.topics.policy-updates", TOPIC);
                m.put("tendon.edge.updates.trusted-keys", KEY.writePublicKey(root.resolve("trusted/key.pem")).toString());
                m.put("tendon.edge.updates.cache-dir", root.resolve("cache").toString());
                return m;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    @Inject
    PolicyService policy;

    @Inject
    ControlService control;

    @Test
    void swapLatencyMissedTicksAndVerificationRate() throws Exception {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaBroker.shared().bootstrapServers());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "swap-bench");
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1 << 20);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.initTransactions();
            publish(producer, 1, "head", head());
            awaitVersion(1, 60_000);
            Thread.sleep(2_000); // the head runs; the control loop settles

            byte[] model = residual(0);
            assertTrue(model.length > 1_000_000 && model.length < 1_200_000, "a 1 MB residual: " + model.length);
            List<Double> latencies = new ArrayList<>();
            long missesDuringSwaps = 0;
            long swapNanos = 0;
            for (int i = 0; i < SWAPS; i++) {
                long version = 2 + i;
                byte[] graph = residual(i % 3);
                long missesBefore = control.metrics().deadlineMisses.get();
                long t0 = System.nanoTime();
                publish(producer, version, "residual", graph);
                awaitVersion(version, 30_000);
                long t1 = System.nanoTime();
                latencies.add((t1 - t0) / 1e6);
                // The window around the swap: until the old runtime is closed and a second has passed.
                Thread.sleep(1_000);
                swapNanos += System.nanoTime() - t0;
                missesDuringSwaps += control.metrics().deadlineMisses.get() - missesBefore;
            }
            // An equally long stretch without swaps, same run: the machine's own noise.
            long baselineBefore = control.metrics().deadlineMisses.get();
            LockSupport.parkNanos(swapNanos);
            long baselineMisses = control.metrics().deadlineMisses.get() - baselineBefore;

            List<PolicyUpdate> parts = KEY.parts(POLICY, 999, "residual", model, 1 << 20);
            TrustedKeys trusted = TrustedKeys.of(KEY.publicKey());
            double[] rates = new double[15];
            for (int r = 0; r < rates.length; r++) {
                long s = System.nanoTime();
                UpdateAssembler.assemble(parts, trusted);
                rates[r] = model.length / 1e6 / ((System.nanoTime() - s) / 1e9);
            }
            Arrays.sort(rates);

            double[] sorted = latencies.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            Map<String, Number> out = new LinkedHashMap<>();
            out.put("swap_latency_p50_ms", percentile(sorted, 0.5));
            out.put("swap_latency_p99_ms", percentile(sorted, 0.99));
            out.put("swap_latency_max_ms", sorted[sorted.length - 1]);
            out.put("swaps", sorted.length);
            out.put("residual_bytes", model.length);
            out.put("missed_ticks_during_swaps", missesDuringSwaps - baselineMisses);
            out.put("missed_ticks_swap_windows", missesDuringSwaps);
            out.put("missed_ticks_baseline_window", baselineMisses);
            out.put("swap_windows_seconds", swapNanos / 1e9);
            out.put("verify_mb_per_s", rates[rates.length / 2]);
            BenchJson.write("swap", out);
            assertEquals(1 + SWAPS, policy.runtime().orElseThrow().version());
        }
    }

    private static double percentile(double[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private void awaitVersion(long version, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (policy.runtime().map(r -> r.version()).orElse(0L) != version) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("v" + version + " did not become active within " + timeoutMillis + " ms");
            }
            LockSupport.parkNanos(200_000);
        }
    }

    /** Signs, splits and sends one update in one transaction, as the learner's publisher does. */
    private static void publish(KafkaProducer<byte[], byte[]> producer, long version, String graph, byte[] model)
            throws Exception {
        List<PolicyUpdate> parts = KEY.parts(POLICY, version, graph, model, 1 << 20);
        producer.beginTransaction();
        for (PolicyUpdate p : parts) {
            producer.send(new ProducerRecord<>(TOPIC, POLICY.getBytes(StandardCharsets.UTF_8), p.toByteArray()));
        }
        producer.commitTransaction();
    }

    /** The head: holds (0.5, 0, 0.1) with 500 N/m whatever it sees. */
    private static byte[] head() {
        ONNXContext ctx = new ONNXContext();
        ONNXPlaceholder z = ctx.floatInput("latent", 40);
        ONNXPlaceholder s = ctx.floatInput("state", 24);
        ONNXRef<?> x = ctx.operation(ONNXOperators.CONCAT, List.of(z, s), "x", Map.of("axis", 1));
        float[] row = {0.5f, 0, 0.1f, 0, 0, 0, 0.5f, 0, 0.1f, 0, 0, 0, 500};
        var w = ctx.floatTensor("w", List.of(64, 208), buf -> {
            for (int i = 0; i < 64 * 208; i++) {
                buf.put(0f);
            }
        });
        var b = ctx.floatTensor("b", List.of(208), buf -> {
            for (int i = 0; i < 208; i++) {
                buf.put(row[i % 13]);
            }
        });
        ctx.operation(ONNXOperators.GEMM, List.of(x, w, b), "y", Map.of()).assignTo(ctx.floatOutput("actions", 208));
        return model(ctx);
    }

    /** A residual MLP of about 1 MB whose correction is a tiny constant along x ({@code k} tenths of a mm). */
    private static byte[] residual(int k) {
        ONNXContext ctx = new ONNXContext();
        ONNXPlaceholder a = ctx.floatInput("actions", 208);
        ONNXPlaceholder z = ctx.floatInput("latent", 40);
        ONNXPlaceholder s = ctx.floatInput("state", 24);
        ONNXRef<?> x = ctx.operation(ONNXOperators.CONCAT, List.of(a, z, s), "x", Map.of("axis", 1));
        Random random = new Random(7);
        var w1 = ctx.floatTensor("w1", List.of(272, HIDDEN), buf -> {
            for (int i = 0; i < 272 * HIDDEN; i++) {
                buf.put((float) (random.nextGaussian() * 0.01));
            }
        });
        var b1 = ctx.floatTensor("b1", List.of(HIDDEN), buf -> {
            for (int i = 0; i < HIDDEN; i++) {
                buf.put(0f);
            }
        });
        var w2 = ctx.floatTensor("w2", List.of(HIDDEN, 208), buf -> {
            for (int i = 0; i < HIDDEN * 208; i++) {
                buf.put(0f);
            }
        });
        var b2 = ctx.floatTensor("b2", List.of(208), buf -> {
            for (int i = 0; i < 208; i++) {
                buf.put(i % 13 == 0 ? 1e-4f * k : 0f);
            }
        });
        ONNXRef<?> h = ctx.operation(ONNXOperators.GEMM, List.of(x, w1, b1), "h", Map.of());
        h = ctx.operation(io.tendon.schemas.onnx.OnnxOps.RELU, List.of(h), "relu", Map.of());
        ctx.operation(ONNXOperators.GEMM, List.of(h, w2, b2), "y", Map.of()).assignTo(ctx.floatOutput("correction", 208));
        return model(ctx);
    }

    private static byte[] model(ONNXContext ctx) {
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(ctx.buildGraph())
                .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("")
                        .setVersion(io.tendon.schemas.onnx.OnnxOps.OPSET)).build().toByteArray();
    }
}
