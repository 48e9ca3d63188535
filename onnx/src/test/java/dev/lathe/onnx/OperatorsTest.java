package dev.lathe.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.tensor.Tensor;
import java.util.List;
import onnx.Onnx.NodeProto;
import org.junit.jupiter.api.Test;

/** The operator registry: nothing the interpreter ran before the table became a registry is lost, and what it lacks is named. */
class OperatorsTest {
    /**
     * Every op type of the interpreter's switch and its MoreOperators fallback as they were before the registry
     * (issue 23), copied from their case labels; the registry may grow, never lose one of these.
     */
    static final List<String> BEFORE_THE_REGISTRY = List.of(
            "Identity", "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean", "PRelu", "Mod", "Equal", "Less", "LessOrEqual",
            "Greater", "GreaterOrEqual", "And", "Or", "Xor", "Not", "Where", "Relu", "LeakyRelu", "Elu", "Selu", "Celu", "ThresholdedRelu",
            "HardSigmoid", "HardSwish", "Sigmoid", "Tanh", "Softplus", "Softsign", "Exp", "Log", "Sqrt", "Neg", "Abs", "Reciprocal",
            "Floor", "Ceil", "Round", "Sign", "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Sinh", "Cosh", "Asinh", "Acosh", "Atanh",
            "Erf", "IsNaN", "Clip", "Softmax", "LogSoftmax", "Hardmax", "MatMul", "Gemm", "Conv", "MaxPool", "AveragePool",
            "GlobalAveragePool", "GlobalMaxPool", "BatchNormalization", "Flatten", "Reshape", "Transpose", "Concat", "Split", "Slice",
            "Squeeze", "Unsqueeze", "Gather", "Pad", "Tile", "Expand", "Dropout", "Constant", "Shape", "Size", "ConstantOfShape", "Cast",
            "Range", "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare",
            "ReduceLogSum", "ReduceLogSumExp", "ArgMax", "ArgMin", "QuantizeLinear", "DequantizeLinear", "LayerNormalization",
            "InstanceNormalization", "GatherElements", "CumSum", "Trilu", "IsInf", "Shrink", "OneHot", "DepthToSpace", "SpaceToDepth",
            "NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss", "RNN", "GRU", "LSTM", "ConvTranspose");

    private static NodeProto node(String domain, String opType) { return NodeProto.newBuilder().setDomain(domain).setOpType(opType).addOutput("y").build(); }

    @Test void everyOperatorTheOldTableRanIsRegistered() {
        assertThat(BEFORE_THE_REGISTRY).hasSize(118).doesNotHaveDuplicates();
        assertThat(Operators.supported()).containsAll(BEFORE_THE_REGISTRY);
    }

    @Test void anUnknownOperatorIsUnsupportedAndNamed() {
        assertThatThrownBy(() -> Operators.run(node("", "Frobnicate"), new Value[0], 17))
                .isInstanceOf(UnsupportedOperatorException.class).hasMessageContaining("Frobnicate");
        // a known op type in another domain is not the ONNX op of that name
        assertThatThrownBy(() -> Operators.run(node("com.example", "Relu"), new Value[0], 17))
                .isInstanceOf(UnsupportedOperatorException.class).hasMessageContaining("com.example").hasMessageContaining("Relu");
    }

    @Test void aRegisteredOperatorRunsThroughTheRegistry() {
        Value x = Value.of(Tensor.of(new float[] {-2f, 3f}, 2));
        Value[] y = Operators.run(node("ai.onnx", "Abs"), new Value[] {x}, 17);
        assertThat(y).hasSize(1);
        assertThat(y[0].tensor().toDoubleArray()).containsExactly(2, 3);
        Value[] sum = Operators.run(node("", "Add"), new Value[] {x, x}, 17);
        assertThat(sum[0].tensor().toDoubleArray()).containsExactly(-4, 6);
    }

    @Test void twoImplementationsCannotClaimOneOpType() {
        Operators.Table t = new Operators.Table();
        t.add("Relu", (n, in, at, opset) -> in);
        assertThatThrownBy(() -> t.add("Relu", (n, in, at, opset) -> in)).isInstanceOf(IllegalStateException.class).hasMessageContaining("Relu");
    }
}
