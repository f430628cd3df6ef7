package io.tendon.learner.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;

class EnsembleNetTest {

    private static final MlpSpec SPEC = new MlpSpec(6, List.of(8, 5), 3, true, false);

    @Test
    void stackedAndSeparateLayoutsComputeTheSameAndMatchAPlainForwardPass() {
        Device cpu = NetTesting.cpu();
        EnsembleNet stacked = EnsembleNet.create(SPEC, 4, true, cpu, ScalarType.Double, 11);
        EnsembleNet separate = EnsembleNet.create(SPEC, 4, false, cpu, ScalarType.Double, 11);
        float[] x = NetTesting.gaussian(5 * 6, 3);
        try (PointerScope scope = new PointerScope()) {
            Tensor input = Tensors.of(x, new long[] {5, 6}, cpu, ScalarType.Double);
            Tensor a = stacked.forward(input);
            Tensor b = separate.forward(input);
            assertArrayEquals(new long[] {4, 5, 3}, Tensors.shape(a));
            double[] av = Tensors.toDoubleArray(a);
            double[] bv = Tensors.toDoubleArray(b);
            assertArrayEquals(av, bv, 1e-12);
            for (int k = 0; k < 4; k++) {
                List<DenseLayer> layers = stacked.memberLayers(k);
                for (int row = 0; row < 5; row++) {
                    double[] in = new double[6];
                    for (int i = 0; i < 6; i++) {
                        in[i] = x[row * 6 + i];
                    }
                    double[] expected = NetTesting.forward(layers, in);
                    for (int j = 0; j < 3; j++) {
                        // Weights were copied out as floats: agreement to float precision.
                        assertEquals(expected[j], av[(k * 5 + row) * 3 + j], 1e-5);
                    }
                }
            }
        }
    }

    @Test
    void polyakMovesTheTargetByTauTowardTheOnlineNetwork() {
        Device cpu = NetTesting.cpu();
        EnsembleNet online = EnsembleNet.create(SPEC, 2, true, cpu, ScalarType.Double, 1);
        EnsembleNet target = EnsembleNet.create(SPEC, 2, true, cpu, ScalarType.Double, 2);
        double[] before;
        double[] onlineValues;
        try (PointerScope scope = new PointerScope()) {
            before = Tensors.toDoubleArray(target.parameterList().get(0));
            onlineValues = Tensors.toDoubleArray(online.parameterList().get(0));
        }
        target.polyakFrom(online, 0.25);
        try (PointerScope scope = new PointerScope()) {
            double[] after = Tensors.toDoubleArray(target.parameterList().get(0));
            for (int i = 0; i < after.length; i++) {
                assertEquals(0.75 * before[i] + 0.25 * onlineValues[i], after[i], 1e-12);
            }
        }
        target.copyFrom(online);
        try (PointerScope scope = new PointerScope()) {
            assertArrayEquals(onlineValues, Tensors.toDoubleArray(target.parameterList().get(0)));
        }
    }

    @Test
    void zeroInitialisedOutputLayerOutputsExactlyZero() {
        Device cpu = NetTesting.cpu();
        EnsembleNet net = EnsembleNet.create(new MlpSpec(6, List.of(8), 3, false, true), 1, true, cpu, ScalarType.Float, 5);
        try (PointerScope scope = new PointerScope()) {
            float[] out = Tensors.toArray(net.forward(Tensors.of(NetTesting.gaussian(12, 1), new long[] {2, 6}, cpu,
                    ScalarType.Float)));
            assertArrayEquals(new float[6], out);
        }
    }

    @Test
    void longLivedNetworksCannotBeMadeInsideAScope() {
        Device cpu = NetTesting.cpu();
        try (PointerScope scope = new PointerScope()) {
            assertThrows(IllegalStateException.class, () -> EnsembleNet.create(SPEC, 1, true, cpu, ScalarType.Float, 1));
        }
    }

    @Test
    void checkpointRoundTripRestoresEveryParameter() {
        Device cpu = NetTesting.cpu();
        EnsembleNet a = EnsembleNet.create(SPEC, 3, true, cpu, ScalarType.Float, 1);
        EnsembleNet b = EnsembleNet.create(SPEC, 3, true, cpu, ScalarType.Float, 99);
        byte[] bytes = TorchArchives.write(archive -> a.save(archive, "net."));
        TorchArchives.read(bytes, archive -> b.load(archive, "net."));
        try (PointerScope scope = new PointerScope()) {
            for (long i = 0; i < a.parameterList().size(); i++) {
                assertArrayEquals(Tensors.toArray(a.parameterList().get(i)), Tensors.toArray(b.parameterList().get(i)));
            }
        }
    }
}
