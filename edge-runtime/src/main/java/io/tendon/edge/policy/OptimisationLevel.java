package io.tendon.edge.policy;

import org.bytedeco.onnxruntime.global.onnxruntime;

/** ONNX Runtime graph optimisation level applied when a session is created. */
public enum OptimisationLevel {
    DISABLED(onnxruntime.ORT_DISABLE_ALL),
    BASIC(onnxruntime.ORT_ENABLE_BASIC),
    EXTENDED(onnxruntime.ORT_ENABLE_EXTENDED),
    ALL(onnxruntime.ORT_ENABLE_ALL);

    final int ortLevel;

    OptimisationLevel(int ortLevel) {
        this.ortLevel = ortLevel;
    }
}
