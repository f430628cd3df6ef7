package io.tendon.learner.nn;

import static org.bytedeco.pytorch.global.torch.cuda_is_available;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.pytorch.Device;
import org.junit.jupiter.api.Test;

class TorchRuntimeTest {

    @Test
    void threadCountIsApplied() {
        TorchRuntime.configure(1, 3);
        assertEquals(1, TorchRuntime.threads());
        assertThrows(IllegalArgumentException.class, () -> TorchRuntime.configure(0, 3));
    }

    @Test
    void cudaIsUsedWhenPresentAndOtherwiseFallsBackToTheCpu() {
        TorchRuntime.configure(1, 3);
        Device device = TorchRuntime.device("cuda", "tendon.train.device");
        assertEquals(cuda_is_available(), device.is_cuda(), "CUDA exactly when LibTorch sees a GPU");
        assertTrue(!TorchRuntime.device("cuda:7", "tendon.train.device").is_cuda() || cuda_is_available());
        assertTrue(!TorchRuntime.device("cpu", "tendon.train.device").is_cuda());
        Exception e = assertThrows(IllegalArgumentException.class, () -> TorchRuntime.device("tpu", "tendon.train.device"));
        assertTrue(e.getMessage().contains("tendon.train.device"));
    }
}
