package dev.lathe.onnx;

import static dev.lathe.onnx.Operators.make;
import static dev.lathe.onnx.Operators.map;
import static dev.lathe.onnx.Operators.nd;
import static dev.lathe.onnx.Operators.one;
import static dev.lathe.onnx.Operators.reshaped;
import static dev.lathe.onnx.Operators.zip;

import dev.lathe.tensor.Tensor;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import onnx.Onnx.TensorProto.DataType;

/**
 * Element-wise ONNX operators: broadcasting arithmetic (float work on Lathe's tensor kernels, integers through
 * doubles), comparisons and logic with bool results, activations, unary math, Clip and Cast.
 */
final class ElementwiseOps {
    private ElementwiseOps() {}

    static void register(Operators.Table t) {
        t.add("Add", (n, in, at, opset) -> one(arith(in[0], in[1], Double::sum, Tensor::add)));
        t.add("Sub", (n, in, at, opset) -> one(arith(in[0], in[1], (a, b) -> a - b, Tensor::sub)));
        t.add("Mul", (n, in, at, opset) -> one(arith(in[0], in[1], (a, b) -> a * b, Tensor::mul)));
        t.add("Div", (n, in, at, opset) -> one(in[0].isInteger() ? zip(in[0], in[1], (a, b) -> truncate(a / b), in[0].elemType()) : arith(in[0], in[1], (a, b) -> a / b, Tensor::div)));
        t.add("Pow", (n, in, at, opset) -> one(zip(in[0], in[1], Math::pow, in[0].elemType())));
        t.add("Max", (n, in, at, opset) -> one(fold(in, Math::max)));
        t.add("Min", (n, in, at, opset) -> one(fold(in, Math::min)));
        t.add("Sum", (n, in, at, opset) -> one(fold(in, Double::sum)));
        t.add("Mean", (n, in, at, opset) -> one(map(fold(in, Double::sum), v -> v / in.length)));
        t.add("PRelu", (n, in, at, opset) -> one(zip(in[0], perChannel(in[1], in[0]), (x, s) -> x < 0 ? s * x : x, in[0].elemType())));
        t.add("Mod", (n, in, at, opset) -> one(zip(in[0], in[1], at.integer("fmod", 0) == 1 ? (a, b) -> a % b : (a, b) -> a - b * Math.floor(a / b), in[0].elemType())));
        comparison(t, "Equal", (a, b) -> a == b ? 1 : 0);
        comparison(t, "Less", (a, b) -> a < b ? 1 : 0);
        comparison(t, "LessOrEqual", (a, b) -> a <= b ? 1 : 0);
        comparison(t, "Greater", (a, b) -> a > b ? 1 : 0);
        comparison(t, "GreaterOrEqual", (a, b) -> a >= b ? 1 : 0);
        comparison(t, "And", (a, b) -> a != 0 && b != 0 ? 1 : 0);
        comparison(t, "Or", (a, b) -> a != 0 || b != 0 ? 1 : 0);
        comparison(t, "Xor", (a, b) -> (a != 0) != (b != 0) ? 1 : 0);
        t.add("Not", (n, in, at, opset) -> one(new Value(map(in[0], v -> v == 0 ? 1 : 0).tensor(), DataType.BOOL_VALUE)));
        t.add("Where", (n, in, at, opset) -> one(where(in[0], in[1], in[2])));
        unary(t, "Relu", v -> v > 0 ? v : 0 * v);
        t.add("LeakyRelu", (n, in, at, opset) -> { double a = at.real("alpha", 0.01); return one(map(in[0], v -> v < 0 ? a * v : v)); });
        t.add("Elu", (n, in, at, opset) -> { double a = at.real("alpha", 1); return one(map(in[0], v -> v < 0 ? a * (Math.exp(v) - 1) : v)); });
        t.add("Selu", (n, in, at, opset) -> {
            double a = at.real("alpha", 1.67326319217681884765625), g = at.real("gamma", 1.05070102214813232421875);
            return one(map(in[0], v -> v <= 0 ? g * (a * Math.exp(v) - a) : g * v));
        });
        t.add("Celu", (n, in, at, opset) -> { double a = at.real("alpha", 1); return one(map(in[0], v -> Math.max(0, v) + Math.min(0, a * (Math.exp(v / a) - 1)))); });
        t.add("ThresholdedRelu", (n, in, at, opset) -> { double a = at.real("alpha", 1); return one(map(in[0], v -> v > a ? v : 0)); });
        t.add("HardSigmoid", (n, in, at, opset) -> {
            double a = at.real("alpha", 0.2), b = at.real("beta", 0.5);
            return one(map(in[0], v -> Math.max(0, Math.min(1, a * v + b))));
        });
        t.add("Shrink", (n, in, at, opset) -> {
            double l = at.real("lambd", 0.5), b = at.real("bias", 0);
            return one(map(in[0], v -> v < -l ? v + b : v > l ? v - b : 0));
        });
        unary(t, "HardSwish", v -> v * Math.max(0, Math.min(1, v / 6 + 0.5)));
        unary(t, "Sigmoid", v -> 1 / (1 + Math.exp(-v)));
        unary(t, "Tanh", Math::tanh);
        unary(t, "Softplus", v -> v > 30 ? v : Math.log1p(Math.exp(v)));
        unary(t, "Softsign", v -> v / (1 + Math.abs(v)));
        unary(t, "Exp", Math::exp);
        unary(t, "Log", Math::log);
        unary(t, "Sqrt", Math::sqrt);
        unary(t, "Neg", v -> -v);
        unary(t, "Abs", Math::abs);
        unary(t, "Reciprocal", v -> 1 / v);
        unary(t, "Floor", Math::floor);
        unary(t, "Ceil", Math::ceil);
        unary(t, "Round", Math::rint);
        unary(t, "Sign", Math::signum);
        unary(t, "Sin", Math::sin);
        unary(t, "Cos", Math::cos);
        unary(t, "Tan", Math::tan);
        unary(t, "Asin", Math::asin);
        unary(t, "Acos", Math::acos);
        unary(t, "Atan", Math::atan);
        unary(t, "Sinh", Math::sinh);
        unary(t, "Cosh", Math::cosh);
        unary(t, "Asinh", v -> Math.log(v + Math.sqrt(v * v + 1)));
        unary(t, "Acosh", v -> Math.log(v + Math.sqrt(v * v - 1)));
        unary(t, "Atanh", v -> 0.5 * Math.log((1 + v) / (1 - v)));
        unary(t, "Erf", ElementwiseOps::erf);
        t.add("IsNaN", (n, in, at, opset) -> one(new Value(map(in[0], v -> Double.isNaN(v) ? 1 : 0).tensor(), DataType.BOOL_VALUE)));
        t.add("IsInf", (n, in, at, opset) -> one(Value.bools(map(in[0], v -> (v == Double.POSITIVE_INFINITY && at.integer("detect_positive", 1) == 1)
                || (v == Double.NEGATIVE_INFINITY && at.integer("detect_negative", 1) == 1) ? 1 : 0).tensor())));
        t.add("Clip", (n, in, at, opset) -> one(clip(in, at, opset)));
        t.add("Cast", (n, in, at, opset) -> one(cast(in[0], (int) at.integer("to", 0))));
    }

    /** An op of one input that maps each element on its own (no attributes), in the input's element type. */
    private static void unary(Operators.Table t, String opType, DoubleUnaryOperator f) { t.add(opType, (n, in, at, opset) -> one(map(in[0], f))); }

    /** A broadcasting comparison or logical op of two inputs, 1 for true, with a bool result. */
    private static void comparison(Operators.Table t, String opType, DoubleBinaryOperator f) { t.add(opType, (n, in, at, opset) -> one(compare(in[0], in[1], f))); }

    /** Float arithmetic on Lathe's broadcasting kernels; integers through doubles. */
    private static Value arith(Value a, Value b, DoubleBinaryOperator f, java.util.function.BinaryOperator<Tensor> kernel) {
        if (a.isInteger() || b.isInteger() || a.tensor().dtype() != b.tensor().dtype()) return zip(a, b, f, a.elemType());
        return new Value(kernel.apply(a.tensor(), b.tensor()), a.elemType());
    }

    private static Value compare(Value a, Value b, DoubleBinaryOperator f) { return zip(a, b, f, DataType.BOOL_VALUE); }

    private static Value fold(Value[] in, DoubleBinaryOperator f) {
        Value acc = in[0];
        for (int i = 1; i < in.length; i++) acc = zip(acc, in[i], f, in[0].elemType());
        return acc;
    }

    private static Value where(Value c, Value x, Value y) {
        int[] shape = Nd.broadcast(Nd.broadcast(c.shape(), x.shape()), y.shape());
        Nd.Array cc = Nd.expand(nd(c), shape), xx = Nd.expand(nd(x), shape), yy = Nd.expand(nd(y), shape);
        double[] out = new double[cc.size()];
        for (int i = 0; i < out.length; i++) out[i] = cc.data()[i] != 0 ? xx.data()[i] : yy.data()[i];
        return make(out, shape, x.elemType());
    }

    /** A 1-D slope of one value per channel, as older exporters wrote for PRelu, reshaped to [C, 1, ...] to broadcast over axis 1. */
    private static Value perChannel(Value slope, Value x) {
        int[] s = slope.shape(), xs = x.shape();
        if (s.length == 1 && xs.length > 2 && s[0] == xs[1] && s[0] != xs[xs.length - 1]) {
            int[] r = new int[xs.length - 1];
            Arrays.fill(r, 1);
            r[0] = s[0];
            return reshaped(slope, r);
        }
        return slope;
    }

    private static double truncate(double v) { return v < 0 ? Math.ceil(v) : Math.floor(v); }

    /** Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7, inside the suite's float tolerance). */
    static double erf(double x) {
        double t = 1 / (1 + 0.3275911 * Math.abs(x));
        double y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
        return x >= 0 ? y : -y;
    }

    private static Value clip(Value[] in, Attributes at, int opset) {
        double lo, hi;
        if (opset < 11) {
            lo = at.real("min", Double.NEGATIVE_INFINITY);
            hi = at.real("max", Double.POSITIVE_INFINITY);
        } else {
            lo = in.length > 1 && in[1] != null ? in[1].tensor().item() : Double.NEGATIVE_INFINITY;
            hi = in.length > 2 && in[2] != null ? in[2].tensor().item() : Double.POSITIVE_INFINITY;
        }
        return map(in[0], v -> Math.min(hi, Math.max(lo, v)));
    }

    private static Value cast(Value x, int to) {
        double[] d = x.tensor().toDoubleArray();
        switch (to) {
            case DataType.FLOAT_VALUE, DataType.DOUBLE_VALUE -> { }
            case DataType.BOOL_VALUE -> { for (int i = 0; i < d.length; i++) d[i] = d[i] != 0 ? 1 : 0; }
            case DataType.INT64_VALUE, DataType.INT32_VALUE, DataType.INT16_VALUE, DataType.INT8_VALUE, DataType.UINT8_VALUE, DataType.UINT16_VALUE -> {
                for (int i = 0; i < d.length; i++) d[i] = truncate(d[i]);
            }
            default -> throw new UnsupportedOperatorException("Cast to " + DataType.forNumber(to));
        }
        return make(d, x.shape(), to);
    }
}
