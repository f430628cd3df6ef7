package io.tendon.edge.policy;

/** Where ONNX Runtime runs the graphs. */
public enum ExecutionProvider {
    /** ONNX Runtime's CPU kernels. */
    CPU,
    /** NVIDIA CUDA (needs the gpu build profile's natives and a device); falls back to CPU. */
    CUDA
}
