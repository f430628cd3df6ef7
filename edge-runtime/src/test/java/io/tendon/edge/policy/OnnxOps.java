package io.tendon.edge.policy;

import ai.onnx.proto.OnnxMl;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import org.tribuo.util.onnx.ONNXAttribute;
import org.tribuo.util.onnx.ONNXOperator;

/** ONNX operators that tribuo-util-onnx's {@code ONNXOperators} lacks (opset 17 semantics). */
enum OnnxOps implements ONNXOperator {
    RELU("Relu", 1),
    TANH("Tanh", 1),
    SQRT("Sqrt", 1),
    MATMUL("MatMul", 2),
    /** data, shape (INT64 initializer). */
    RESHAPE("Reshape", 2),
    /** x, axis (INT64 scalar initializer): running sum along the axis, causal in time. */
    CUMSUM("CumSum", 2),
    /** Flattens to 2-D at attribute "axis". */
    FLATTEN("Flatten", 1, new ONNXAttribute("axis", OnnxMl.AttributeProto.AttributeType.INT, false));

    private final String opName;
    private final int inputs;
    private final Map<String, ONNXAttribute> attributes;

    OnnxOps(String opName, int inputs, ONNXAttribute... attributes) {
        this.opName = opName;
        this.inputs = inputs;
        this.attributes = attributes.length == 0 ? Collections.emptyMap()
                : Map.of(attributes[0].getName(), attributes[0]);
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
        return 0;
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
        return Collections.emptySet();
    }

    @Override
    public int getOpVersion() {
        return TestGraphs.OPSET;
    }

    @Override
    public String getOpDomain() {
        return "ai.onnx";
    }
}
