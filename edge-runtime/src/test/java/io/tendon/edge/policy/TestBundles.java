package io.tendon.edge.policy;

import com.google.protobuf.util.JsonFormat;
import io.tendon.schemas.v1.ActionLayout;
import io.tendon.schemas.v1.ActionLayoutKind;
import io.tendon.schemas.v1.BundleManifest;
import io.tendon.schemas.v1.DType;
import io.tendon.schemas.v1.GraphRole;
import io.tendon.schemas.v1.GraphSpec;
import io.tendon.schemas.v1.PolicyMode;
import io.tendon.schemas.v1.Rates;
import io.tendon.schemas.v1.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes bundle directories (manifest.json + generated graphs) for tests. */
final class TestBundles {

    static final int A = 13;

    private TestBundles() {
    }

    /** A manifest with 13-component actions, wide bounds, control 1 kHz. */
    static BundleManifest.Builder manifest(String id, PolicyMode mode, int h, int exec, int latency, double policyHz) {
        ActionLayout.Builder layout = ActionLayout.newBuilder().setKind(ActionLayoutKind.POSE_TARGET_STIFFNESS);
        for (int i = 0; i < A; i++) {
            layout.addLower(i == 12 ? 0f : -1000f);
            layout.addUpper(i == 12 ? 10_000f : 1000f);
        }
        return BundleManifest.newBuilder()
                .setManifestVersion(1)
                .setPolicyId(id)
                .setVersion(3)
                .setMode(mode)
                .setRates(Rates.newBuilder().setControlHz(1000).setPolicyHz(policyHz).setChunkLength(h)
                        .setExecHorizon(exec).setLatencySteps(latency))
                .setActionLayout(layout);
    }

    /** Lets stiffness go negative too: for graphs whose closed-form answers are arbitrary numbers. */
    static BundleManifest.Builder unbounded(BundleManifest.Builder m) {
        m.getActionLayoutBuilder().setLower(12, -1000f);
        return m;
    }

    static TensorSpec f32(String name, long... shape) {
        TensorSpec.Builder t = TensorSpec.newBuilder().setName(name).setDtype(DType.FLOAT32);
        for (long d : shape) {
            t.addShape(d);
        }
        return t.build();
    }

    static TensorSpec i64(String name, long... shape) {
        return f32(name, shape).toBuilder().setDtype(DType.INT64).build();
    }

    static GraphSpec graph(GraphRole role, String file, List<TensorSpec> inputs, List<TensorSpec> outputs) {
        return GraphSpec.newBuilder().setRole(role).setFile(file).addAllInputs(inputs).addAllOutputs(outputs).build();
    }

    /** Writes manifest.json and the graph files into {@code dir}; returns {@code dir}. */
    static Path write(Path dir, BundleManifest manifest, Map<String, byte[]> files) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(PolicyBundle.MANIFEST_FILE), JsonFormat.printer().print(manifest),
                    StandardCharsets.UTF_8);
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Files.write(dir.resolve(f.getKey()), f.getValue());
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A clock the test moves by hand. */
    static final class ManualClock implements java.util.function.LongSupplier {
        long now;

        @Override
        public long getAsLong() {
            return now;
        }
    }
}
