package dev.lathe.onnx;

import static dev.lathe.onnx.Operators.check;
import static dev.lathe.onnx.Operators.one;
import static dev.lathe.onnx.Operators.reshaped;

import dev.lathe.tensor.Conv;
import dev.lathe.tensor.ConvSpec;
import dev.lathe.tensor.PoolSpec;
import dev.lathe.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX linear algebra and windowed ops on Lathe's kernels: MatMul, Gemm, 2-D convolution and transposed
 * convolution, max and average pooling; 1-D convolution and pooling run as 2-D with a unit height.
 */
final class LinearOps {
    private LinearOps() {}

    static void register(Operators.Table t) {
        t.add("MatMul", (n, in, at, opset) -> one(matmul(in[0], in[1])));
        t.add("Gemm", (n, in, at, opset) -> one(gemm(in, at)));
        t.add("Conv", (n, in, at, opset) -> one(conv(in, at)));
        t.add("ConvTranspose", (n, in, at, opset) -> one(convTranspose(in, at)));
        for (String op : List.of("MaxPool", "AveragePool")) {
            t.add(op, (n, in, at, opset) -> {
                check(n.getOutputCount() == 1, op + " with an Indices output");
                return one(pool(op, in[0], at));
            });
        }
    }

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

    /**
     * 2-D transposed convolution as the adjoint of a convolution: the output is what a convolution's
     * backward-data pass gives for an input of the output's shape (ONNX's weight [C_in, C_out/group, kh, kw]
     * is that convolution's weight). Output size stride (in - 1) + output_padding + dilated kernel - pads.
     */
    private static Value convTranspose(Value[] in, Attributes at) {
        Tensor x = in[0].tensor(), w = in[1].tensor().to(x.dtype());
        check(x.dim() == 4, "ConvTranspose over " + (x.dim() - 2) + " spatial dims (only 2-D)");
        check(!at.has("output_shape"), "ConvTranspose with output_shape");
        String auto = at.string("auto_pad", "NOTSET");
        check(auto.equals("NOTSET") || auto.equals("VALID"), "ConvTranspose auto_pad " + auto);
        int group = (int) at.integer("group", 1);
        long[] st = at.ints("strides", new long[] {1, 1}), dl = at.ints("dilations", new long[] {1, 1}), op = at.ints("output_padding", new long[] {0, 0});
        long[] pads = at.ints("pads", new long[] {0, 0, 0, 0});
        check(pads[0] == pads[2] && pads[1] == pads[3], "ConvTranspose with asymmetric pads");
        int kh = w.size(2), kw = w.size(3), cOut = w.size(1) * group;
        int oh = (int) (st[0] * (x.size(2) - 1) + op[0] + (kh - 1) * dl[0] + 1 - 2 * pads[0]);
        int ow = (int) (st[1] * (x.size(3) - 1) + op[1] + (kw - 1) * dl[1] + 1 - 2 * pads[1]);
        ConvSpec spec = new ConvSpec((int) st[0], (int) st[1], (int) pads[0], (int) pads[1], (int) dl[0], (int) dl[1], group);
        Tensor y = Conv.conv2dBackwardData(x.contiguous(), w.contiguous(), new int[] {x.size(0), cOut, oh, ow}, spec);
        if (in.length > 2 && in[2] != null) y = y.add(in[2].tensor().to(y.dtype()).reshape(1, cOut, 1, 1));
        return new Value(y, in[0].elemType());
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
}
