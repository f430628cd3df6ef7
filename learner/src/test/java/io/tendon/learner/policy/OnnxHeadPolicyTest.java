package io.tendon.learner.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.tendon.learner.nn.NetTesting;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.GraphSpec;
import io.tendon.schemas.v1.PolicyMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundle's head through ONNX Runtime, batched, as the learner's frozen base policy. */
class OnnxHeadPolicyTest {

    private static final StateLayout LAYOUT = new StateLayout(40, 12, 12);
    private static final int CHUNK = 16 * 13;

    @TempDir
    Path dir;

    private Path writeBundle(float noiseScale, PolicyMode mode) throws Exception {
        byte[] graph = TestHeads.linearHead(40, 12, CHUNK, noiseScale).toByteArray();
        Files.write(dir.resolve("head.onnx"), graph);
        Files.write(dir.resolve("step.onnx"), graph);
        BundleManifest manifest = mode == PolicyMode.CHUNK ? TestHeads.chunkManifest("policy-t", 0f)
                : TestHeads.flowManifest("policy-t");
        Files.writeString(dir.resolve(PolicyBundle.MANIFEST), JsonFormat.printer().print(manifest));
        return dir;
    }

    private static OnnxHeadPolicy open(PolicyBundle bundle, int maxRows) throws Exception {
        NetTesting.cpu();
        return new OnnxHeadPolicy(new OrtGraph(bundle.headBytes(), "head", 1, maxRows), LAYOUT, CHUNK);
    }

    @Test
    void aBatchOfStatesGivesTheHeadsChunksRowByRow() throws Exception {
        PolicyBundle bundle = PolicyBundle.read(writeBundle(0f, PolicyMode.CHUNK));
        assertEquals("policy-t", bundle.manifest().getPolicyId());
        int rows = 37;
        float[] states = NetTesting.gaussian(rows * LAYOUT.stateDim(), 1);
        float[] out = new float[rows * CHUNK];
        try (OnnxHeadPolicy head = open(bundle, 64)) {
            head.act(states, rows, out);
        }
        for (int r = 0; r < rows; r++) {
            float[] expected = TestHeads.expected(Arrays.copyOfRange(states, r * 64, r * 64 + 64), 40, 12, CHUNK);
            assertArrayEquals(expected, Arrays.copyOfRange(out, r * CHUNK, (r + 1) * CHUNK), 1e-5f, "row " + r);
        }
    }

    @Test
    void aNoiseInputGetsFreshStandardNormalNoiseEveryRun() throws Exception {
        PolicyBundle bundle = PolicyBundle.read(writeBundle(1f, PolicyMode.CHUNK));
        int rows = 50;
        float[] states = new float[rows * LAYOUT.stateDim()];
        float[] first = new float[rows * CHUNK];
        float[] second = new float[rows * CHUNK];
        try (OnnxHeadPolicy head = open(bundle, rows)) {
            head.act(states, rows, first);
            head.act(states, rows, second);
        }
        float[] clean = TestHeads.expected(new float[64], 40, 12, CHUNK);
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < first.length; i++) {
            double n = first[i] - clean[i % CHUNK];
            sum += n;
            sumSq += n * n;
        }
        double mean = sum / first.length;
        double var = sumSq / first.length - mean * mean;
        assertEquals(0, mean, 0.03);
        assertEquals(1, var, 0.05);
        assertTrue(!Arrays.equals(first, second), "two runs draw different noise");
    }

    @Test
    void aBundleTheLearnerCannotRunIsAClearError() throws Exception {
        PolicyBundle bundle = PolicyBundle.read(writeBundle(0f, PolicyMode.FLOW));
        Exception e = assertThrows(java.io.IOException.class, bundle::headBytes);
        assertTrue(e.getMessage().contains("CHUNK"), e.getMessage());
        Files.writeString(dir.resolve(PolicyBundle.MANIFEST), "{\"manifestVersion\": 1, \"bogus\": 3}");
        Exception bad = assertThrows(java.io.IOException.class, () -> PolicyBundle.read(dir));
        assertTrue(bad.getMessage().contains("manifest.json"), bad.getMessage());
    }

    @Test
    void inputsAreRecognisedByNameAndWidth() {
        assertEquals(InputRole.STATE, InputRole.of("state", 64, LAYOUT, CHUNK));
        assertEquals(InputRole.PROPRIO_WRENCH, InputRole.of("robot_state", 24, LAYOUT, CHUNK));
        assertEquals(InputRole.CHUNK, InputRole.of("a_base", CHUNK, LAYOUT, CHUNK));
        Exception e = assertThrows(IllegalArgumentException.class, () -> InputRole.of("latent", 41, LAYOUT, CHUNK));
        assertTrue(e.getMessage().contains("latent"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> InputRole.of("pixels", 3, LAYOUT, CHUNK));
    }
}
