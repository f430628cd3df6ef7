package io.tendon.learner.export;

import ai.onnx.proto.OnnxMl;
import io.tendon.learner.policy.InputRole;
import io.tendon.learner.policy.OrtGraph;
import io.tendon.learner.policy.StateLayout;
import io.tendon.schemas.v1.Provenance;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Runs an exported graph in ONNX Runtime on a probe batch and compares it with the LibTorch
 * forward pass of the network it came from, in training units (ALGORITHMS.md section 8): the
 * graph's outputs are brought to training units with the given {@link OutputUnits} (in double
 * precision), and every value must satisfy {@code |ort - torch| <= atol + rtol * |torch| + ulp}, ulp
 * the spacing of float32 at the graph's raw output, in training units (what a raw output can
 * hold at all).
 * Within that it becomes a {@link VerifiedExport}; otherwise the export is refused with the
 * reason. Comparing in training units keeps the check meaningful for outputs in the hundreds
 * (a stiffness of 1000 N/m) that float32 cannot hold to an absolute 1e-5.
 */
public final class ExportVerifier {

    /**
     * How a graph's output relates to training units: {@code training = (graph - mean) / std}
     * per output value (length = output width); {@link #IDENTITY} when the graph gives training units.
     */
    public record OutputUnits(float[] mean, float[] std) {
        public static final OutputUnits IDENTITY = new OutputUnits(null, null);

        double toTraining(float graphValue, int entry) {
            return mean == null ? graphValue : ((double) graphValue - mean[entry]) / std[entry];
        }

        /**
         * The resolution of the graph's float32 output near {@code training} (one ulp of the raw
         * value), in training units: a raw position of 0.5 m is only held to 6e-8 m, which a
         * small std turns into more than 1e-5 training units.
         */
        double resolution(double training, int entry) {
            if (mean == null) {
                return 0;
            }
            float raw = (float) (training * std[entry] + mean[entry]);
            return Math.ulp(raw) / std[entry];
        }
    }

    private final double tolerance;
    private final double relativeTolerance;
    private final int threads;

    /** The network's own forward pass on the probe: {@code rows x outputWidth} floats. */
    @FunctionalInterface
    public interface Reference {
        float[] forward(float[] states, float[] chunks, int rows);
    }

    /** Probe inputs: {@code rows} state rows, and chunk rows for graphs that take a chunk (else null). */
    public record Probe(float[] states, float[] chunks, int rows) {
    }

    /** Absolute tolerance only (relative 0). */
    public ExportVerifier(double tolerance, int intraOpThreads) {
        this(tolerance, 0, intraOpThreads);
    }

    /**
     * @param tolerance         atol, training units
     * @param relativeTolerance rtol
     */
    public ExportVerifier(double tolerance, double relativeTolerance, int intraOpThreads) {
        if (!(tolerance > 0) || !(relativeTolerance >= 0)) {
            throw new IllegalArgumentException("tolerances must be positive (atol) and non-negative (rtol), were "
                    + tolerance + ", " + relativeTolerance);
        }
        this.tolerance = tolerance;
        this.relativeTolerance = relativeTolerance;
        this.threads = intraOpThreads;
    }

    public double tolerance() {
        return tolerance;
    }

    public double relativeTolerance() {
        return relativeTolerance;
    }

    /** As {@link #verify(String, String, long, OnnxMl.ModelProto, GraphSignature, StateLayout, Probe, Reference, OutputUnits, Provenance)} for a graph that gives training units. */
    public VerifiedExport verify(String policyId, String graph, long version, OnnxMl.ModelProto model,
            GraphSignature signature, StateLayout layout, Probe probe, Reference reference, Provenance provenance)
            throws ExportRefusedException {
        return verify(policyId, graph, version, model, signature, layout, probe, reference, OutputUnits.IDENTITY,
                provenance);
    }

    /**
     * @param probe     the graph's inputs (its units)
     * @param reference LibTorch's output for the probe, training units
     * @param units     the graph's output units
     */
    public VerifiedExport verify(String policyId, String graph, long version, OnnxMl.ModelProto model,
            GraphSignature signature, StateLayout layout, Probe probe, Reference reference, OutputUnits units,
            Provenance provenance) throws ExportRefusedException {
        Map<String, String> meta = new HashMap<>();
        for (OnnxMl.StringStringEntryProto e : model.getMetadataPropsList()) {
            meta.put(e.getKey(), e.getValue());
        }
        requireMeta(meta, ExportMetadata.POLICY_ID, policyId);
        requireMeta(meta, ExportMetadata.GRAPH, graph);
        requireMeta(meta, ExportMetadata.VERSION, Long.toString(version));
        byte[] bytes = model.toByteArray();
        int rows = probe.rows();
        int stateDim = layout.stateDim();
        float[] ort;
        try (OrtGraph session = new OrtGraph(bytes, graph + " v" + version, threads, rows)) {
            checkPorts(session, signature);
            List<OrtGraph.Port> ports = session.inputs();
            for (int i = 0; i < ports.size(); i++) {
                InputRole role = roleOf(signature, ports.get(i).name());
                FloatPointer buffer = session.input(i).position(0);
                long width = ports.get(i).width();
                switch (role) {
                    case NOISE -> buffer.fill(0);
                    case CHUNK -> {
                        if (probe.chunks() == null) {
                            throw new ExportRefusedException(graph + " takes a chunk but the probe has none");
                        }
                        buffer.put(probe.chunks(), 0, (int) (rows * width));
                    }
                    default -> {
                        int offset = role.stateOffset(layout);
                        for (int r = 0; r < rows; r++) {
                            buffer.position(r * width).put(probe.states(), r * stateDim + offset, (int) width);
                        }
                        buffer.position(0);
                    }
                }
            }
            ort = new float[(int) (rows * signature.outputWidth())];
            session.run(rows, ort);
        } catch (IllegalArgumentException e) {
            throw new ExportRefusedException("ONNX Runtime cannot run " + graph + " v" + version + ": " + e.getMessage(), e);
        }
        float[] torch = reference.forward(probe.states(), probe.chunks(), rows);
        if (torch.length != ort.length) {
            throw new ExportRefusedException("LibTorch gives " + torch.length + " values, ONNX Runtime " + ort.length);
        }
        int width = ort.length / rows;
        double worst = 0;
        double worstExcess = Double.NEGATIVE_INFINITY;
        int at = -1;
        for (int i = 0; i < ort.length; i++) {
            if (!Float.isFinite(ort[i]) || !Float.isFinite(torch[i])) {
                throw new ExportRefusedException(graph + " v" + version + " gives a non-finite output at row "
                        + i / width + " (ONNX Runtime " + ort[i] + ", LibTorch " + torch[i] + ")");
            }
            double d = Math.abs(units.toTraining(ort[i], i % width) - torch[i]);
            worst = Math.max(worst, d);
            double excess = d - (tolerance + relativeTolerance * Math.abs(torch[i]) + units.resolution(torch[i], i % width));
            if (excess > worstExcess) {
                worstExcess = excess;
                at = i;
            }
        }
        if (worstExcess > 0) {
            throw new ExportRefusedException(String.format(
                    "%s v%d: ONNX Runtime differs from LibTorch by %.3g (training units) at row %d, output %d"
                            + " (%.9g vs %.9g); allowed %.3g + %.3g x |LibTorch| + one float32 ulp of the raw"
                            + " output", graph, version,
                    Math.abs(units.toTraining(ort[at], at % width) - torch[at]), at / width, at % width,
                    units.toTraining(ort[at], at % width), torch[at], tolerance, relativeTolerance));
        }
        return new VerifiedExport(policyId, graph, version, bytes, sha256(bytes), provenance, worst, rows);
    }

    private static void requireMeta(Map<String, String> meta, String key, String expected)
            throws ExportRefusedException {
        if (!expected.equals(meta.get(key))) {
            throw new ExportRefusedException("metadata " + key + " is '" + meta.get(key) + "', expected '" + expected + "'");
        }
    }

    private static void checkPorts(OrtGraph session, GraphSignature signature) {
        List<OrtGraph.Port> ports = session.inputs();
        if (ports.size() != signature.inputs().size()) {
            throw new IllegalArgumentException("graph has " + ports.size() + " inputs, the signature "
                    + signature.inputs().size());
        }
        for (OrtGraph.Port p : ports) {
            GraphSignature.Input in = signature.inputs().stream().filter(i -> i.name().equals(p.name())).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unexpected input '" + p.name() + "'"));
            if (!Arrays.equals(tail(in.dims()), tail(p.dims()))) {
                throw new IllegalArgumentException("input '" + p.name() + "' has dims " + Arrays.toString(p.dims())
                        + ", the signature " + Arrays.toString(in.dims()));
            }
        }
        OrtGraph.Port out = session.outputs().get(0);
        if (!out.name().equals(signature.outputName()) || !Arrays.equals(tail(out.dims()), tail(signature.outputDims()))) {
            throw new IllegalArgumentException("output is '" + out.name() + "' " + Arrays.toString(out.dims())
                    + ", the signature '" + signature.outputName() + "' " + Arrays.toString(signature.outputDims()));
        }
    }

    private static long[] tail(long[] dims) {
        return Arrays.copyOfRange(dims, 1, dims.length);
    }

    private static InputRole roleOf(GraphSignature signature, String name) {
        return signature.inputs().stream().filter(i -> i.name().equals(name)).findFirst().orElseThrow().role();
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
