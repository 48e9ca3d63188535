package dev.lathe.onnx;

import dev.lathe.tensor.Conv;
import dev.lathe.tensor.ConvSpec;
import dev.lathe.tensor.DType;
import dev.lathe.tensor.PoolSpec;
import dev.lathe.tensor.Tensor;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto.DataType;

/**
 * The ONNX operators Lathe runs, each following the operator spec (opset 17, with the older
 * forms the backend test suite still uses where they differ). Float work goes to Lathe's tensor
 * kernels (convolution, pooling, matmul, broadcasting arithmetic); data movement to {@link Nd}.
 * Anything not listed throws {@link UnsupportedOperatorException}.
 */
final class Operators {
    private Operators() {}

    static Value[] run(NodeProto n, Value[] in, int opset) {
        Attributes at = new Attributes(n);
        String op = n.getOpType();
        if (!n.getDomain().isEmpty() && !n.getDomain().equals("ai.onnx")) throw new UnsupportedOperatorException("operator domain '" + n.getDomain() + "' (" + op + ")");
        return switch (op) {
            case "Identity" -> one(in[0]);
            case "Add" -> one(arith(in[0], in[1], Double::sum, Tensor::add));
            case "Sub" -> one(arith(in[0], in[1], (a, b) -> a - b, Tensor::sub));
            case "Mul" -> one(arith(in[0], in[1], (a, b) -> a * b, Tensor::mul));
            case "Div" -> one(in[0].isInteger() ? zip(in[0], in[1], (a, b) -> truncate(a / b), in[0].elemType()) : arith(in[0], in[1], (a, b) -> a / b, Tensor::div));
            case "Pow" -> one(zip(in[0], in[1], Math::pow, in[0].elemType()));
            case "Max" -> one(fold(in, Math::max));
            case "Min" -> one(fold(in, Math::min));
            case "Sum" -> one(fold(in, Double::sum));
            case "Mean" -> one(map(fold(in, Double::sum), v -> v / in.length));
            case "PRelu" -> one(zip(in[0], perChannel(in[1], in[0]), (x, s) -> x < 0 ? s * x : x, in[0].elemType()));
            case "Mod" -> one(zip(in[0], in[1], at.integer("fmod", 0) == 1 ? (a, b) -> a % b : (a, b) -> a - b * Math.floor(a / b), in[0].elemType()));
            case "Equal" -> one(compare(in[0], in[1], (a, b) -> a == b ? 1 : 0));
            case "Less" -> one(compare(in[0], in[1], (a, b) -> a < b ? 1 : 0));
            case "LessOrEqual" -> one(compare(in[0], in[1], (a, b) -> a <= b ? 1 : 0));
            case "Greater" -> one(compare(in[0], in[1], (a, b) -> a > b ? 1 : 0));
            case "GreaterOrEqual" -> one(compare(in[0], in[1], (a, b) -> a >= b ? 1 : 0));
            case "And" -> one(compare(in[0], in[1], (a, b) -> a != 0 && b != 0 ? 1 : 0));
            case "Or" -> one(compare(in[0], in[1], (a, b) -> a != 0 || b != 0 ? 1 : 0));
            case "Xor" -> one(compare(in[0], in[1], (a, b) -> (a != 0) != (b != 0) ? 1 : 0));
            case "Not" -> one(new Value(map(in[0], v -> v == 0 ? 1 : 0).tensor(), DataType.BOOL_VALUE));
            case "Where" -> one(where(in[0], in[1], in[2]));
            case "Relu" -> one(map(in[0], v -> v > 0 ? v : 0 * v));
            case "LeakyRelu" -> { double a = at.real("alpha", 0.01); yield one(map(in[0], v -> v < 0 ? a * v : v)); }
            case "Elu" -> { double a = at.real("alpha", 1); yield one(map(in[0], v -> v < 0 ? a * (Math.exp(v) - 1) : v)); }
            case "Selu" -> {
                double a = at.real("alpha", 1.67326319217681884765625), g = at.real("gamma", 1.05070102214813232421875);
                yield one(map(in[0], v -> v <= 0 ? g * (a * Math.exp(v) - a) : g * v));
            }
            case "Celu" -> { double a = at.real("alpha", 1); yield one(map(in[0], v -> Math.max(0, v) + Math.min(0, a * (Math.exp(v / a) - 1)))); }
            case "ThresholdedRelu" -> { double a = at.real("alpha", 1); yield one(map(in[0], v -> v > a ? v : 0)); }
            case "HardSigmoid" -> {
                double a = at.real("alpha", 0.2), b = at.real("beta", 0.5);
                yield one(map(in[0], v -> Math.max(0, Math.min(1, a * v + b))));
            }
            case "HardSwish" -> one(map(in[0], v -> v * Math.max(0, Math.min(1, v / 6 + 0.5))));
            case "Sigmoid" -> one(map(in[0], v -> 1 / (1 + Math.exp(-v))));
            case "Tanh" -> one(map(in[0], Math::tanh));
            case "Softplus" -> one(map(in[0], v -> v > 30 ? v : Math.log1p(Math.exp(v))));
            case "Softsign" -> one(map(in[0], v -> v / (1 + Math.abs(v))));
            case "Exp" -> one(map(in[0], Math::exp));
            case "Log" -> one(map(in[0], Math::log));
            case "Sqrt" -> one(map(in[0], Math::sqrt));
            case "Neg" -> one(map(in[0], v -> -v));
            case "Abs" -> one(map(in[0], Math::abs));
            case "Reciprocal" -> one(map(in[0], v -> 1 / v));
            case "Floor" -> one(map(in[0], Math::floor));
            case "Ceil" -> one(map(in[0], Math::ceil));
            case "Round" -> one(map(in[0], Math::rint));
            case "Sign" -> one(map(in[0], Math::signum));
            case "Sin" -> one(map(in[0], Math::sin));
            case "Cos" -> one(map(in[0], Math::cos));
            case "Tan" -> one(map(in[0], Math::tan));
            case "Asin" -> one(map(in[0], Math::asin));
            case "Acos" -> one(map(in[0], Math::acos));
            case "Atan" -> one(map(in[0], Math::atan));
            case "Sinh" -> one(map(in[0], Math::sinh));
            case "Cosh" -> one(map(in[0], Math::cosh));
            case "Asinh" -> one(map(in[0], v -> Math.log(v + Math.sqrt(v * v + 1))));
            case "Acosh" -> one(map(in[0], v -> Math.log(v + Math.sqrt(v * v - 1))));
            case "Atanh" -> one(map(in[0], v -> 0.5 * Math.log((1 + v) / (1 - v))));
            case "Erf" -> one(map(in[0], Operators::erf));
            case "IsNaN" -> one(new Value(map(in[0], v -> Double.isNaN(v) ? 1 : 0).tensor(), DataType.BOOL_VALUE));
            case "Clip" -> one(clip(in, at, opset));
            case "Softmax", "LogSoftmax", "Hardmax" -> one(softmax(op, in[0], at, opset));
            case "MatMul" -> one(matmul(in[0], in[1]));
            case "Gemm" -> one(gemm(in, at));
            case "Conv" -> one(conv(in, at));
            case "MaxPool", "AveragePool" -> { check(n.getOutputCount() == 1, op + " with an Indices output"); yield one(pool(op, in[0], at)); }
            case "GlobalAveragePool" -> one(reduce("ReduceMean", in[0], spatialAxes(in[0]), true));
            case "GlobalMaxPool" -> one(reduce("ReduceMax", in[0], spatialAxes(in[0]), true));
            case "BatchNormalization" -> { check(n.getOutputCount() == 1 && at.integer("training_mode", 0) == 0, "BatchNormalization in training mode"); yield one(batchNorm(in, at)); }
            case "Flatten" -> one(flatten(in[0], (int) at.integer("axis", 1)));
            case "Reshape" -> one(reshape(in[0], in[1].longs(), at.integer("allowzero", 0) == 1));
            case "Transpose" -> one(transpose(in[0], at));
            case "Concat" -> one(concat(in, (int) at.integer("axis", 0)));
            case "Split" -> split(in, at, n.getOutputCount(), opset);
            case "Slice" -> one(slice(in, at, opset));
            case "Squeeze" -> one(squeeze(in, at, opset));
            case "Unsqueeze" -> one(unsqueeze(in, at, opset));
            case "Gather" -> one(gather(in[0], in[1], (int) at.integer("axis", 0)));
            case "Pad" -> one(pad(in, at, opset));
            case "Tile" -> one(wrap(Nd.tile(nd(in[0]), in[1].longs()), in[0]));
            case "Expand" -> one(wrap(Nd.expand(nd(in[0]), Nd.broadcast(in[0].shape(), toInts(in[1].longs()))), in[0]));
            case "Dropout" -> {
                check(in.length < 3 || in[2] == null || in[2].tensor().item() == 0, "Dropout in training mode (random)");
                yield n.getOutputCount() > 1
                    ? new Value[] {in[0], new Value(Tensor.full(DType.FLOAT64, 1, in[0].shape()), DataType.BOOL_VALUE)} : one(in[0]);
            }
            case "Constant" -> one(constant(at, n));
            case "Shape" -> one(shape(in[0], at));
            case "Size" -> one(Value.ints(Tensor.of(new double[] {in[0].tensor().numel()})));
            case "ConstantOfShape" -> one(constantOfShape(in[0], at, n));
            case "Cast" -> one(cast(in[0], (int) at.integer("to", 0)));
            case "Range" -> one(range(in));
            case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp" ->
                    one(reduceOp(op, in, at, opset));
            case "ArgMax", "ArgMin" -> one(argExtreme(op, in[0], at));
            case "QuantizeLinear" -> one(quantize(in, at));
            case "DequantizeLinear" -> one(dequantize(in, at));
            default -> {
                Value[] more = MoreOperators.run(n, in, at, opset);
                if (more == null) throw new UnsupportedOperatorException("operator " + op);
                yield more;
            }
        };
    }

    static void check(boolean ok, String what) { if (!ok) throw new UnsupportedOperatorException(what); }

    private static Value[] one(Value v) { return new Value[] {v}; }

    // ---- element-wise -------------------------------------------------------------------------

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

    private static Value softmax(String op, Value x, Attributes at, int opset) {
        int r = x.shape().length;
        int axis = (int) at.integer("axis", opset < 13 ? 1 : -1);
        if (axis < 0) axis += r;
        int[] s = x.shape();
        // before opset 13 the input is coerced to 2-D at axis; from 13 the op runs along one axis
        int outer = 1, n = 1, inner = 1;
        for (int d = 0; d < r; d++) {
            if (d < axis) outer *= s[d];
            else if (d == axis || opset < 13) n *= s[d];
            else inner *= s[d];
        }
        double[] v = x.tensor().toDoubleArray(), out = new double[v.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                int arg = 0;
                for (int k = 0; k < n; k++) if (v[base + k * inner] > max) { max = v[base + k * inner]; arg = k; }
                if (op.equals("Hardmax")) {
                    out[base + arg * inner] = 1;
                    continue;
                }
                double sum = 0;
                for (int k = 0; k < n; k++) sum += Math.exp(v[base + k * inner] - max);
                for (int k = 0; k < n; k++) {
                    double z = v[base + k * inner] - max;
                    out[base + k * inner] = op.equals("Softmax") ? Math.exp(z) / sum : z - Math.log(sum);
                }
            }
        }
        return make(out, s, x.elemType());
    }

    // ---- linear algebra and convolution -------------------------------------------------------

    private static Value matmul(Value a, Value b) {
        check(!a.isInteger() && !b.isInteger(), "integer MatMul");
        Tensor x = a.tensor(), y = b.tensor();
        if (x.dtype() != y.dtype()) y = y.to(x.dtype());
        return new Value(x.matmul(y), a.elemType());
    }

    private static Value gemm(Value[] in, Attributes at) {
        Tensor a = in[0].tensor(), b = in[1].tensor();
        if (at.integer("transA", 0) == 1) a = a.transpose(0, 1);
        if (at.integer("transB", 0) == 1) b = b.transpose(0, 1);
        Tensor y = a.matmul(b);
        double alpha = at.real("alpha", 1), beta = at.real("beta", 1);
        if (alpha != 1) y = y.mul(alpha);
        if (in.length > 2 && in[2] != null) {
            Tensor c = in[2].tensor().to(y.dtype());
            y = y.add(beta == 1 ? c : c.mul(beta));
        }
        return new Value(y, in[0].elemType());
    }

    /** Symmetric padding per spatial axis from explicit pads or auto_pad; asymmetric ones are not supported. */
    private static int[] pads2d(Attributes at, int[] in, int[] kernel, int[] strides, int[] dil) {
        String auto = at.string("auto_pad", "NOTSET");
        int[] pad = new int[2];
        if (auto.equals("NOTSET")) {
            long[] p = at.ints("pads", new long[] {0, 0, 0, 0});
            check(p.length == 4 && p[0] == p[2] && p[1] == p[3], "asymmetric pads " + Arrays.toString(p));
            pad[0] = (int) p[0];
            pad[1] = (int) p[1];
        } else if (!auto.equals("VALID")) {
            for (int d = 0; d < 2; d++) {
                int out = (in[d] + strides[d] - 1) / strides[d];
                int total = Math.max(0, (out - 1) * strides[d] + dil[d] * (kernel[d] - 1) + 1 - in[d]);
                check(total % 2 == 0, "auto_pad " + auto + " with odd total padding");
                pad[d] = total / 2;
            }
        }
        return pad;
    }

    private static int[] pair(Attributes at, String name, int otherwise) {
        long[] v = at.ints(name, new long[] {otherwise, otherwise});
        check(v.length == 2, name + " of " + v.length + " spatial dims (only 2-D)");
        return new int[] {(int) v[0], (int) v[1]};
    }

    private static Value conv(Value[] in, Attributes at) {
        if (in[0].shape().length == 3) {
            Value[] lifted = in.clone();
            lifted[0] = reshaped(in[0], lift(in[0].shape()));
            lifted[1] = reshaped(in[1], lift(in[1].shape()));
            return drop(conv(lifted, new Lifted(at)), in[0]);
        }
        Tensor x = in[0].tensor(), w = in[1].tensor();
        check(x.dim() == 4, "Conv over " + (x.dim() - 2) + " spatial dims (only 2-D)");
        int[] k = {w.size(2), w.size(3)}, s = pair(at, "strides", 1), d = pair(at, "dilations", 1);
        int[] p = pads2d(at, new int[] {x.size(2), x.size(3)}, k, s, d);
        ConvSpec spec = new ConvSpec(s[0], s[1], p[0], p[1], d[0], d[1], (int) at.integer("group", 1));
        Tensor b = in.length > 2 && in[2] != null ? in[2].tensor().to(x.dtype()) : null;
        return new Value(Conv.conv2d(x, w.to(x.dtype()), b, spec), in[0].elemType());
    }

    private static Value pool(String op, Value v, Attributes at) {
        if (v.shape().length == 3) return drop(pool(op, reshaped(v, lift(v.shape())), new Lifted(at)), v);
        Tensor x = v.tensor();
        check(x.dim() == 4, op + " over " + (x.dim() - 2) + " spatial dims (only 2-D)");
        long[] ks = at.ints("kernel_shape", null);
        check(ks != null && ks.length == 2, op + " kernel_shape");
        int[] k = {(int) ks[0], (int) ks[1]}, s = pair(at, "strides", 1), d = pair(at, "dilations", 1);
        check(d[0] == 1 && d[1] == 1, op + " with dilations");
        int[] p = pads2d(at, new int[] {x.size(2), x.size(3)}, k, s, d);
        boolean ceil = at.integer("ceil_mode", 0) == 1;
        PoolSpec spec = new PoolSpec(k[0], k[1], s[0], s[1], p[0], p[1], ceil);
        if (op.equals("MaxPool")) return new Value(Conv.maxPool2d(x, spec).y(), v.elemType());
        check(!ceil, "AveragePool with ceil_mode");
        return new Value(Conv.avgPool2d(x, spec, at.integer("count_include_pad", 0) == 1), v.elemType());
    }

    private static Value batchNorm(Value[] in, Attributes at) {
        Tensor x = in[0].tensor();
        int c = x.size(1);
        int[] bshape = new int[x.dim()];
        Arrays.fill(bshape, 1);
        bshape[1] = c;
        double eps = at.real("epsilon", 1e-5);
        Tensor scale = in[1].tensor().to(x.dtype()).reshape(bshape), bias = in[2].tensor().to(x.dtype()).reshape(bshape);
        Tensor mean = in[3].tensor().to(x.dtype()).reshape(bshape), var = in[4].tensor().to(x.dtype()).reshape(bshape);
        return new Value(x.sub(mean).div(var.add(eps).sqrt()).mul(scale).add(bias), in[0].elemType());
    }

    /** [N, C, L] as [N, C, 1, L]: 1-D convolution and pooling run as 2-D with a unit height. */
    private static int[] lift(int[] s) { return new int[] {s[0], s[1], 1, s[2]}; }

    private static Value drop(Value v, Value like) {
        int[] s = v.shape();
        return reshaped(v, new int[] {s[0], s[1], s[3]});
    }

    /** A 1-D node's attributes seen as 2-D: a unit first entry is put before each spatial list. */
    private static final class Lifted extends Attributes {
        private final Attributes base;

        Lifted(Attributes base) {
            super(null);
            this.base = base;
        }

        @Override boolean has(String name) { return base.has(name); }

        @Override long integer(String name, long otherwise) { return base.integer(name, otherwise); }

        @Override double real(String name, double otherwise) { return base.real(name, otherwise); }

        @Override String string(String name, String otherwise) { return base.string(name, otherwise); }

        @Override long[] ints(String name, long[] otherwise) {
            long[] v = base.ints(name, null);
            if (v == null) return otherwise;
            return switch (name) {
                case "pads" -> v.length == 2 ? new long[] {0, v[0], 0, v[1]} : v;
                case "kernel_shape" -> v.length == 1 ? new long[] {1, v[0]} : v;
                case "strides", "dilations" -> v.length == 1 ? new long[] {1, v[0]} : v;
                default -> v;
            };
        }
    }

    // ---- shapes and data movement ---------------------------------------------------------------

    static int[] toInts(long[] v) {
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (int) v[i];
        return r;
    }

    private static Value reshaped(Value v, int[] shape) { return new Value(v.tensor().contiguous().reshape(shape), v.elemType()); }

    private static Value flatten(Value v, int axis) {
        int[] s = v.shape();
        if (axis < 0) axis += s.length;
        int a = 1, b = 1;
        for (int d = 0; d < s.length; d++) if (d < axis) a *= s[d]; else b *= s[d];
        return reshaped(v, new int[] {a, b});
    }

    private static Value reshape(Value v, long[] target, boolean allowZero) {
        int[] s = v.shape(), out = new int[target.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < target.length; i++) {
            long t = target[i];
            if (t == 0 && !allowZero) t = s[i];
            if (t == -1) {
                infer = i;
                continue;
            }
            out[i] = (int) t;
            known *= t;
        }
        if (infer >= 0) out[infer] = known == 0 ? 0 : (int) (v.tensor().numel() / known);
        if (Nd.numel(out) != v.tensor().numel()) throw new IllegalArgumentException("Reshape: " + Arrays.toString(s) + " to " + Arrays.toString(target));
        return reshaped(v, out);
    }

    private static Value transpose(Value v, Attributes at) {
        int r = v.shape().length;
        long[] def = new long[r];
        for (int i = 0; i < r; i++) def[i] = r - 1 - i;
        return wrap(Nd.transpose(nd(v), toInts(at.ints("perm", def))), v);
    }

    private static Value concat(Value[] in, int axis) {
        if (axis < 0) axis += in[0].shape().length;
        boolean floats = true;
        for (Value v : in) floats &= !v.isInteger() && v.tensor().dtype() == in[0].tensor().dtype();
        if (floats) {
            Tensor[] ts = new Tensor[in.length];
            for (int i = 0; i < in.length; i++) ts[i] = in[i].tensor();
            return new Value(Tensor.concat(axis, ts), in[0].elemType());
        }
        Tensor[] ts = new Tensor[in.length];
        for (int i = 0; i < in.length; i++) ts[i] = in[i].tensor().to(DType.FLOAT64);
        return new Value(Tensor.concat(axis, ts), in[0].elemType());
    }

    private static Value[] split(Value[] in, Attributes at, int outputs, int opset) {
        Value x = in[0];
        int axis = (int) at.integer("axis", 0);
        if (axis < 0) axis += x.shape().length;
        long[] sizes = opset >= 13 ? (in.length > 1 && in[1] != null ? in[1].longs() : null) : at.ints("split", null);
        int len = x.shape()[axis];
        if (sizes == null) {
            int parts = outputs, each = (len + parts - 1) / parts;
            sizes = new long[parts];
            for (int i = 0; i < parts; i++) sizes[i] = Math.min(each, len - (long) each * i);
        }
        Value[] out = new Value[sizes.length];
        int start = 0;
        for (int i = 0; i < sizes.length; i++) {
            out[i] = new Value(x.tensor().slice(axis, start, start + (int) sizes[i]).contiguous(), x.elemType());
            start += (int) sizes[i];
        }
        return out;
    }

    private static Value slice(Value[] in, Attributes at, int opset) {
        Value x = in[0];
        int r = x.shape().length;
        long[] starts, ends, axes, steps;
        if (opset < 10) {
            starts = at.ints("starts", null);
            ends = at.ints("ends", null);
            axes = at.ints("axes", null);
            steps = null;
        } else {
            starts = in[1].longs();
            ends = in[2].longs();
            axes = in.length > 3 && in[3] != null ? in[3].longs() : null;
            steps = in.length > 4 && in[4] != null ? in[4].longs() : null;
        }
        int[] start = new int[r], step = new int[r], count = x.shape().clone();
        Arrays.fill(step, 1);
        for (int i = 0; i < starts.length; i++) {
            int a = (int) (axes == null ? i : axes[i] < 0 ? axes[i] + r : axes[i]);
            int n = x.shape()[a];
            long st = steps == null ? 1 : steps[i];
            check(st != 0, "Slice step 0");
            long b = starts[i] < 0 ? starts[i] + n : starts[i], e = ends[i] < 0 ? ends[i] + n : ends[i];
            if (st > 0) {
                b = Math.max(0, Math.min(n, b));
                e = Math.max(0, Math.min(n, e));
            } else {
                b = Math.max(-1, Math.min(n - 1, b));
                e = Math.max(-1, Math.min(n - 1, e));
            }
            long c = st > 0 ? Math.max(0, (e - b + st - 1) / st) : Math.max(0, (b - e + (-st) - 1) / (-st));
            start[a] = (int) b;
            step[a] = (int) st;
            count[a] = (int) c;
        }
        return wrap(Nd.slice(nd(x), start, step, count), x);
    }

    private static long[] axesOf(Value[] in, Attributes at, int opset, int fromInput) {
        if (opset >= 13 && fromInput >= 0) return in.length > fromInput && in[fromInput] != null ? in[fromInput].longs() : null;
        return at.ints("axes", null);
    }

    private static Value squeeze(Value[] in, Attributes at, int opset) {
        int[] s = in[0].shape();
        long[] axes = axesOf(in, at, opset, 1);
        boolean[] drop = new boolean[s.length];
        if (axes == null) for (int d = 0; d < s.length; d++) drop[d] = s[d] == 1;
        else for (long a : axes) drop[(int) (a < 0 ? a + s.length : a)] = true;
        int[] out = java.util.stream.IntStream.range(0, s.length).filter(d -> !drop[d]).map(d -> s[d]).toArray();
        return reshaped(in[0], out);
    }

    private static Value unsqueeze(Value[] in, Attributes at, int opset) {
        int[] s = in[0].shape();
        long[] axes = axesOf(in, at, opset, 1);
        int r = s.length + axes.length;
        boolean[] added = new boolean[r];
        for (long a : axes) added[(int) (a < 0 ? a + r : a)] = true;
        int[] out = new int[r];
        for (int d = 0, k = 0; d < r; d++) out[d] = added[d] ? 1 : s[k++];
        return reshaped(in[0], out);
    }

    private static Value gather(Value x, Value idx, int axis) {
        if (axis < 0) axis += x.shape().length;
        return wrap(Nd.gather(nd(x), axis, idx.longs(), idx.shape()), x);
    }

    private static Value pad(Value[] in, Attributes at, int opset) {
        String mode = at.string("mode", "constant");
        long[] pads = opset < 11 ? at.ints("pads", null) : in[1].longs();
        double value = opset < 11 ? at.real("value", 0) : in.length > 2 && in[2] != null ? in[2].tensor().item() : 0;
        check(opset < 18 || in.length < 4, "Pad with axes");
        return wrap(Nd.pad(nd(in[0]), pads, mode, value), in[0]);
    }

    private static Value constant(Attributes at, NodeProto n) {
        if (at.has("value")) return TensorProtos.read(at.raw("value").getT(), "Constant " + n.getName());
        if (at.has("value_float")) return Value.of(Tensor.of(new float[] {(float) at.real("value_float", 0)}));
        if (at.has("value_floats")) { float[] f = at.floats("value_floats"); return Value.of(Tensor.of(f, f.length)); }
        if (at.has("value_int")) return Value.ints(Tensor.of(new double[] {at.integer("value_int", 0)}));
        if (at.has("value_ints")) {
            long[] l = at.ints("value_ints", new long[0]);
            double[] d = new double[l.length];
            for (int i = 0; i < l.length; i++) d[i] = l[i];
            return Value.ints(Tensor.of(d, d.length));
        }
        throw new UnsupportedOperatorException("Constant without a numeric value (sparse or string)");
    }

    private static Value shape(Value x, Attributes at) {
        int[] s = x.shape();
        int r = s.length;
        int start = (int) at.integer("start", 0), end = (int) at.integer("end", r);
        if (start < 0) start += r;
        if (end < 0) end += r;
        start = Math.max(0, Math.min(r, start));
        end = Math.max(start, Math.min(r, end));
        double[] d = new double[end - start];
        for (int i = start; i < end; i++) d[i - start] = s[i];
        return Value.ints(Tensor.of(d, d.length));
    }

    private static Value constantOfShape(Value shape, Attributes at, NodeProto n) {
        int[] s = toInts(shape.longs());
        if (!at.has("value")) return make(new double[Nd.numel(s)], s, DataType.FLOAT_VALUE);
        Value v = TensorProtos.read(at.raw("value").getT(), "ConstantOfShape " + n.getName());
        double[] d = new double[Nd.numel(s)];
        Arrays.fill(d, v.tensor().toDoubleArray()[0]);
        return make(d, s, v.elemType());
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

    private static Value range(Value[] in) {
        double start = in[0].tensor().item(), limit = in[1].tensor().item(), delta = in[2].tensor().item();
        int n = (int) Math.max(0, Math.ceil((limit - start) / delta));
        double[] d = new double[n];
        for (int i = 0; i < n; i++) d[i] = start + i * delta;
        return make(d, new int[] {n}, in[0].elemType());
    }

    // ---- reductions ---------------------------------------------------------------------------------

    private static int[] spatialAxes(Value v) {
        int[] a = new int[v.shape().length - 2];
        for (int i = 0; i < a.length; i++) a[i] = i + 2;
        return a;
    }

    private static Value reduceOp(String op, Value[] in, Attributes at, int opset) {
        boolean fromInput = op.equals("ReduceSum") ? opset >= 13 : opset >= 18;
        long[] axes = fromInput ? (in.length > 1 && in[1] != null ? in[1].longs() : null) : at.ints("axes", null);
        boolean keep = at.integer("keepdims", 1) == 1;
        int r = in[0].shape().length;
        int[] ax;
        if (axes == null || axes.length == 0) {
            if (at.integer("noop_with_empty_axes", 0) == 1) return in[0];
            ax = java.util.stream.IntStream.range(0, r).toArray();
        } else {
            ax = new int[axes.length];
            for (int i = 0; i < ax.length; i++) ax[i] = (int) (axes[i] < 0 ? axes[i] + r : axes[i]);
        }
        return reduce(op, in[0], ax, keep);
    }

    /** Reduces over the given axes by iterating the kept positions; all ten ONNX reductions share it. */
    static Value reduce(String op, Value x, int[] axes, boolean keep) {
        int[] s = x.shape();
        int r = s.length;
        boolean[] red = new boolean[r];
        for (int a : axes) red[a] = true;
        int[] outShape = new int[r];
        for (int d = 0; d < r; d++) outShape[d] = red[d] ? 1 : s[d];
        int outN = Nd.numel(outShape);
        int[] outStrides = Nd.strides(outShape);
        double[] v = x.tensor().toDoubleArray();
        double[] acc = new double[outN];
        int[] count = new int[outN];
        boolean extreme = op.equals("ReduceMax") || op.equals("ReduceMin");
        if (op.equals("ReduceProd")) Arrays.fill(acc, 1);
        if (extreme) Arrays.fill(acc, op.equals("ReduceMax") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        double[] maxFor = null;
        if (op.equals("ReduceLogSumExp")) {
            maxFor = reduce("ReduceMax", x, axes, true).tensor().toDoubleArray();
        }
        int[] pos = new int[r];
        for (int i = 0; i < v.length; i++) {
            int o = 0;
            for (int d = 0; d < r; d++) if (!red[d]) o += pos[d] * outStrides[d];
            double e = v[i];
            switch (op) {
                case "ReduceMax" -> acc[o] = Math.max(acc[o], e);
                case "ReduceMin" -> acc[o] = Math.min(acc[o], e);
                case "ReduceProd" -> acc[o] *= e;
                case "ReduceL1" -> acc[o] += Math.abs(e);
                case "ReduceL2", "ReduceSumSquare" -> acc[o] += e * e;
                case "ReduceLogSumExp" -> acc[o] += Math.exp(e - maxFor[o]);
                default -> acc[o] += e;
            }
            count[o]++;
            Nd.next(pos, s);
        }
        for (int o = 0; o < outN; o++) {
            switch (op) {
                case "ReduceMean" -> acc[o] /= Math.max(1, count[o]);
                case "ReduceL2" -> acc[o] = Math.sqrt(acc[o]);
                case "ReduceLogSum" -> acc[o] = Math.log(acc[o]);
                case "ReduceLogSumExp" -> acc[o] = Math.log(acc[o]) + maxFor[o];
                default -> { }
            }
        }
        int[] finalShape = keep ? outShape : java.util.stream.IntStream.range(0, r).filter(d -> !red[d]).map(d -> s[d]).toArray();
        return make(acc, finalShape, x.elemType());
    }

    private static Value argExtreme(String op, Value x, Attributes at) {
        int r = x.shape().length;
        int axis = (int) at.integer("axis", 0);
        if (axis < 0) axis += r;
        boolean keep = at.integer("keepdims", 1) == 1, last = at.integer("select_last_index", 0) == 1, max = op.equals("ArgMax");
        int[] s = x.shape();
        int outer = 1, n = s[axis], inner = 1;
        for (int d = 0; d < axis; d++) outer *= s[d];
        for (int d = axis + 1; d < r; d++) inner *= s[d];
        double[] v = x.tensor().toDoubleArray(), out = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = 0;
                double bv = v[o * n * inner + i];
                for (int k = 1; k < n; k++) {
                    double e = v[(o * n + k) * inner + i];
                    boolean better = max ? (last ? e >= bv : e > bv) : (last ? e <= bv : e < bv);
                    if (better) { bv = e; best = k; }
                }
                out[o * inner + i] = best;
            }
        }
        int[] shape = s.clone();
        shape[axis] = 1;
        final int ax = axis;
        int[] fin = keep ? shape : java.util.stream.IntStream.range(0, r).filter(d -> d != ax).map(d -> s[d]).toArray();
        return make(out, fin, DataType.INT64_VALUE);
    }

    // ---- quantization ------------------------------------------------------------------------------

    /** Scale and zero point broadcast along {@code axis} (per-axis) or as scalars (per-tensor). */
    private static double[][] qparams(Value[] in, Attributes at, int[] xShape) {
        int r = xShape.length;
        int axis = (int) at.integer("axis", 1);
        if (axis < 0) axis += r;
        double[] scale = in[1].tensor().toDoubleArray();
        double[] zp = in.length > 2 && in[2] != null ? in[2].tensor().toDoubleArray() : new double[scale.length];
        int n = Nd.numel(xShape);
        double[] s = new double[n], z = new double[n];
        int inner = 1;
        for (int d = axis + 1; d < r; d++) inner *= xShape[d];
        for (int i = 0; i < n; i++) {
            int c = scale.length == 1 ? 0 : (i / inner) % xShape[axis];
            s[i] = scale[c];
            z[i] = zp[c];
        }
        return new double[][] {s, z};
    }

    private static Value quantize(Value[] in, Attributes at) {
        int type = in.length > 2 && in[2] != null ? in[2].elemType() : DataType.UINT8_VALUE;
        double lo = type == DataType.INT8_VALUE ? -128 : 0, hi = type == DataType.INT8_VALUE ? 127 : 255;
        check(type == DataType.INT8_VALUE || type == DataType.UINT8_VALUE, "QuantizeLinear to " + DataType.forNumber(type));
        double[][] q = qparams(in, at, in[0].shape());
        double[] x = in[0].tensor().toDoubleArray();
        // float32 inputs divide in float32, as the spec's reference does: a quotient near .5 rounds by its float value
        boolean single = in[0].elemType() == DataType.FLOAT_VALUE;
        for (int i = 0; i < x.length; i++) {
            double scaled = single ? (float) x[i] / (float) q[0][i] : x[i] / q[0][i];
            x[i] = Math.max(lo, Math.min(hi, Math.rint(scaled) + q[1][i]));
        }
        return make(x, in[0].shape(), type);
    }

    private static Value dequantize(Value[] in, Attributes at) {
        double[][] q = qparams(in, at, in[0].shape());
        double[] x = in[0].tensor().toDoubleArray();
        for (int i = 0; i < x.length; i++) x[i] = (x[i] - q[1][i]) * q[0][i];
        return make(x, in[0].shape(), in[1].elemType());
    }
}
