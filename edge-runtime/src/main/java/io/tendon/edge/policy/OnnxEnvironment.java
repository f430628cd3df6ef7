package io.tendon.edge.policy;

import static org.bytedeco.onnxruntime.global.onnxruntime.GetAvailableProviders;
import static org.bytedeco.onnxruntime.global.onnxruntime.ORT_LOGGING_LEVEL_WARNING;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtArenaAllocator;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtGetApiBase;
import static org.bytedeco.onnxruntime.global.onnxruntime.OrtMemTypeDefault;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.onnxruntime.Env;
import org.bytedeco.onnxruntime.MemoryInfo;
import org.bytedeco.onnxruntime.StringVector;

/**
 * The process's one ONNX Runtime environment (ONNX Runtime allows one per process; every
 * session of every bundle shares it), created on first use and kept until the JVM exits.
 */
public final class OnnxEnvironment {

    private static Env env;
    private static MemoryInfo cpuMemory;
    private static String version;
    private static List<String> providers;

    private OnnxEnvironment() {
    }

    /** The environment, created on first call. */
    public static synchronized Env env() {
        if (env == null) {
            // Created outside any PointerScope: it lives as long as the process.
            env = new Env(ORT_LOGGING_LEVEL_WARNING, "tendon");
            env.retainReference();
            cpuMemory = MemoryInfo.CreateCpu(OrtArenaAllocator, OrtMemTypeDefault);
            cpuMemory.retainReference();
            try (PointerScope scope = new PointerScope()) {
                version = OrtGetApiBase().GetVersionString().call().getString();
                StringVector names = GetAvailableProviders();
                List<String> list = new ArrayList<>();
                for (long i = 0; i < names.size(); i++) {
                    list.add(names.get(i).getString());
                }
                providers = Collections.unmodifiableList(list);
            }
        }
        return env;
    }

    /** CPU memory description for tensors over Java-owned native buffers. */
    public static synchronized MemoryInfo cpuMemory() {
        env();
        return cpuMemory;
    }

    /** ONNX Runtime's version string, e.g. "1.22.0". */
    public static synchronized String version() {
        env();
        return version;
    }

    /** Execution providers compiled into the loaded natives, e.g. [CPUExecutionProvider]. */
    public static synchronized List<String> availableProviders() {
        env();
        return providers;
    }
}
