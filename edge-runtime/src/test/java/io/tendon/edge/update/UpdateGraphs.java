package io.tendon.edge.update;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tribuo.util.onnx.ONNXContext;
import org.tribuo.util.onnx.ONNXOperators;
import org.tribuo.util.onnx.ONNXPlaceholder;
import org.tribuo.util.onnx.ONNXRef;

/**
 * A bundle whose head and residual arrive by update, in the learner's export contract (latent 40
 * and state 24 in; a 16 x 13 chunk out; the residual also takes the base chunk), and graphs for
 * it with known outputs: a head that holds one action row whatever it sees, a residual that adds
 * a constant correction, and broken ones.
 */
final class UpdateGraphs {

    static final int LATENT = 40;
    static final int STATE = 24;
    static final int H = 16;
    static final int A = 13;
    static final String POLICY = "peg-insert";
    /** Inside the bundle's bounds: hold at (0.5, 0, 0.1) with 500 N/m. */
    static final float[] HOLD = {0.5f, 0, 0.1f, 0, 0, 0, 0.5f, 0, 0.1f, 0, 0, 0, 500};

    private UpdateGraphs() {
    }

    /** The manifest: CHUNK, head and residual from update, layout-1 action bounds. */
    static Path bundle(Path dir) throws IOException {
        Files.createDirectories(dir);
        // The same manifest the swap benchmark runs (src/test/resources/bundles/from-update).
        Files.copy(Path.of("src/test/resources/bundles/from-update/manifest.json"), dir.resolve("manifest.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return dir;
    }

    /** A head that outputs {@code row} for every step of the chunk, whatever it sees. */
    static byte[] head(float[] row) {
        return head(row, LATENT);
    }

    /** The same, with a latent input of {@code latentWidth} (another than the manifest's: a mismatch). */
    static byte[] head(float[] row, int latentWidth) {
        ONNXContext ctx = new ONNXContext();
        ONNXPlaceholder z = ctx.floatInput("latent", latentWidth);
        ONNXPlaceholder s = ctx.floatInput("state", STATE);
        ONNXRef<?> x = ctx.operation(ONNXOperators.CONCAT, List.of(z, s), "x", Map.of("axis", 1));
        int in = latentWidth + STATE;
        var w = ctx.floatTensor("w", List.of(in, H * A), buf -> {
            for (int i = 0; i < in * H * A; i++) {
                buf.put(0f);
            }
        });
        var b = ctx.floatTensor("b", List.of(H * A), buf -> {
            for (int i = 0; i < H * A; i++) {
                buf.put(row[i % A]);
            }
        });
        ctx.operation(ONNXOperators.GEMM, List.of(x, w, b), "y", Map.of()).assignTo(ctx.floatOutput("actions", H * A));
        return model(ctx);
    }

    /** A residual whose correction is {@code row} at every step. */
    static byte[] residual(float[] row) {
        ONNXContext ctx = new ONNXContext();
        ONNXPlaceholder act = ctx.floatInput("actions", H * A);
        ONNXPlaceholder z = ctx.floatInput("latent", LATENT);
        ONNXPlaceholder s = ctx.floatInput("state", STATE);
        ONNXRef<?> x = ctx.operation(ONNXOperators.CONCAT, List.of(act, z, s), "x", Map.of("axis", 1));
        int in = H * A + LATENT + STATE;
        var w = ctx.floatTensor("w", List.of(in, H * A), buf -> {
            for (int i = 0; i < in * H * A; i++) {
                buf.put(0f);
            }
        });
        var b = ctx.floatTensor("b", List.of(H * A), buf -> {
            for (int i = 0; i < H * A; i++) {
                buf.put(row[i % A]);
            }
        });
        ctx.operation(ONNXOperators.GEMM, List.of(x, w, b), "y", Map.of()).assignTo(ctx.floatOutput("correction", H * A));
        return model(ctx);
    }

    /** {@link #HOLD} moved by {@code dx} along x (pose and virtual target). */
    static float[] moved(float dx) {
        float[] r = HOLD.clone();
        r[0] += dx;
        r[6] += dx;
        return r;
    }

    static float[] nan() {
        float[] r = HOLD.clone();
        r[2] = Float.NaN;
        return r;
    }

    private static byte[] model(ONNXContext ctx) {
        return OnnxMl.ModelProto.newBuilder().setIrVersion(8).setGraph(ctx.buildGraph())
                .addOpsetImport(ONNXOperators.getOpsetProto()).build().toByteArray();
    }
}
