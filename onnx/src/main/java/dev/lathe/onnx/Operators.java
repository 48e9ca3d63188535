package dev.lathe.onnx;

import dev.lathe.tensor.Tensor;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto.DataType;

/**
 * The ONNX operators Lathe runs: a registry from op type to {@link OnnxOp}, filled once by the family classes
 * ({@link ElementwiseOps}, {@link LinearOps}, {@link ShapeOps}, {@link ReductionOps}, {@link NormalizationOps},
 * {@link QuantizationOps}, {@link RecurrentOps}), and the helpers they share to build results. Each op follows
 * the operator spec (opset 17, with the older forms the backend test suite still uses where they differ). An op
 * type no family registers, or an op of another domain, throws {@link UnsupportedOperatorException} naming it.
 */
final class Operators {
    private Operators() {}

    private static final Map<String, OnnxOp> TABLE = table();

    private static Map<String, OnnxOp> table() {
        Table t = new Table();
        ElementwiseOps.register(t);
        LinearOps.register(t);
        ShapeOps.register(t);
        ReductionOps.register(t);
        NormalizationOps.register(t);
        QuantizationOps.register(t);
        RecurrentOps.register(t);
        return Map.copyOf(t.ops);
    }

    /** The one way in: the interpreter ({@link OnnxModel#run}), the importer's constant folding and the conformance runner all call it. */
    static Value[] run(NodeProto n, Value[] in, int opset) {
        String op = n.getOpType();
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) throw new UnsupportedOperatorException("operator domain '" + n.getDomain() + "' (" + op + ")");
        OnnxOp impl = TABLE.get(op);
        if (impl == null) throw new UnsupportedOperatorException("operator " + op);
        return impl.run(n, in, new Attributes(n), opset);
    }

    /** The op types of the default (ai.onnx) domain the registry runs. */
    static Set<String> supported() { return TABLE.keySet(); }

    /** Op type -> implementation while the families register; a type claimed twice is a mistake in the table, so it fails at once. */
    static final class Table {
        private final Map<String, OnnxOp> ops = new HashMap<>();

        void add(String opType, OnnxOp op) {
            if (ops.putIfAbsent(opType, op) != null) throw new IllegalStateException("ONNX operator " + opType + " is registered twice");
        }
    }

    // ---- shared by the families -----------------------------------------------------------------

    static void check(boolean ok, String what) { if (!ok) throw new UnsupportedOperatorException(what); }

    static Value[] one(Value v) { return new Value[] {v}; }

    static Nd.Array nd(Value v) { return new Nd.Array(v.tensor().toDoubleArray(), v.shape()); }

    /** A result in the element type (and precision) of {@code like}. */
    static Value wrap(Nd.Array a, Value like) { return make(a.data(), a.shape(), like.elemType()); }

    static Value make(double[] data, int[] shape, int elemType) {
        if (elemType == DataType.FLOAT_VALUE) {
            float[] f = new float[data.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) data[i];
            return new Value(Tensor.of(f, shape), elemType);
        }
        return new Value(Tensor.of(data, shape), elemType);
    }

    static Value map(Value v, DoubleUnaryOperator f) {
        double[] d = v.tensor().toDoubleArray();
        for (int i = 0; i < d.length; i++) d[i] = f.applyAsDouble(d[i]);
        return make(d, v.shape(), v.elemType());
    }

    static Value zip(Value a, Value b, DoubleBinaryOperator f, int elemType) {
        Nd.Array r = Nd.zip(nd(a), nd(b), f);
        return make(r.data(), r.shape(), elemType);
    }

    static Value reshaped(Value v, int[] shape) { return new Value(v.tensor().contiguous().reshape(shape), v.elemType()); }
}
