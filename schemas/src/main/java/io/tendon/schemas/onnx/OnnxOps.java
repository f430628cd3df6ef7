package io.tendon.schemas.onnx;

import ai.onnx.proto.OnnxMl;
import java.util.Map;
import java.util.Set;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;

/**
 * ONNX operators that tribuo-util-onnx's {@code ONNXOperators} lacks, for writing policy graphs
 * from Java: the learner's exports and both services' test graphs use this one list. Models
 * import the default-domain opset {@link #OPSET}. (tribuo-util-onnx is an optional dependency of
 * this module: only code that writes graphs brings it.)
 */
public enum OnnxOps implements ONNXOperator {
    /** y = max(x, 0). */
    RELU("Relu", 1, 0, Map.of(), 14),
    TANH("Tanh", 1, 0, Map.of(), 13),
    SQRT("Sqrt", 1, 0, Map.of(), 13),
    /** Element-wise with broadcasting. */
    ADD("Add", 2, 0, Map.of(), 14),
    SUB("Sub", 2, 0, Map.of(), 14),
    MUL("Mul", 2, 0, Map.of(), 14),
    DIV("Div", 2, 0, Map.of(), 14),
    /** Element-wise max / min of two inputs with broadcasting (bounds per component). */
    MAX("Max", 2, 0, Map.of(), 13),
    MIN("Min", 2, 0, Map.of(), 13),
    MATMUL("MatMul", 2, 0, Map.of(), 13),
    /** LayerNormalization(X, Scale, B) over the last axis, as torch.layer_norm with an affine. */
    LAYER_NORMALIZATION("LayerNormalization", 2, 1,
            Map.of("axis", new ONNXAttribute("axis", OnnxMl.AttributeProto.AttributeType.INT, false),
                    "epsilon", new ONNXAttribute("epsilon", OnnxMl.AttributeProto.AttributeType.FLOAT, false)),
            17),
    /** Reshape(data, shape): int64 shape, -1 for the inferred (batch) dimension. */
    RESHAPE("Reshape", 2, 0, Map.of(), 14),
    /** x, axis (INT64 scalar initializer): running sum along the axis, causal in time. */
    CUMSUM("CumSum", 2, 0, Map.of(), 14),
    /** Flattens to 2-D at attribute "axis". */
    FLATTEN("Flatten", 1, 0, Map.of("axis", new ONNXAttribute("axis", OnnxMl.AttributeProto.AttributeType.INT, false)),
            13);

    /** The default-domain opset the written models import (LayerNormalization needs 17). */
    public static final int OPSET = 17;

    private final String opName;
    private final int inputs;
    private final int optionalInputs;
    private final Map<String, ONNXAttribute> attributes;
    private final int version;

    OnnxOps(String opName, int inputs, int optionalInputs, Map<String, ONNXAttribute> attributes, int version) {
        this.opName = opName;
        this.inputs = inputs;
        this.optionalInputs = optionalInputs;
        this.attributes = attributes;
        this.version = version;
    }

    @Override
    public String getOpName() {
        return opName;
    }

    @Override
    public int getNumInputs() {
        return inputs;
    }

    @Override
    public int getNumOptionalInputs() {
        return optionalInputs;
    }

    @Override
    public int getNumOutputs() {
        return 1;
    }

    @Override
    public Map<String, ONNXAttribute> getAttributes() {
        return attributes;
    }

    @Override
    public Set<String> getMandatoryAttributeNames() {
        return Set.of();
    }

    @Override
    public int getOpVersion() {
        return version;
    }

    @Override
    public String getOpDomain() {
        return null;
    }
}
