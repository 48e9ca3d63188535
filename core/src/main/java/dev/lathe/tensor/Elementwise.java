package dev.lathe.tensor;

import dev.lathe.kernels.Parallel;
import dev.lathe.kernels.ScalarMath;
import dev.lathe.kernels.VectorMath;
import java.util.Arrays;

/** Broadcasting binary operations, unary functions and strided copies, row by row over {@link Strided} plans. */
final class Elementwise {
    private Elementwise() {}

    /** Below this many elements a second thread costs more than it saves (a pass over 1 MB). */
    static final int PARALLEL_MIN = 1 << 18;

    enum Op {
        ADD(VectorMath.ADD), SUB(VectorMath.SUB), MUL(VectorMath.MUL), DIV(VectorMath.DIV), GREATER(VectorMath.GREATER),
        RELU_MASK(VectorMath.RELU_MASK);
        final int code;
        Op(int code) { this.code = code; }
    }

    enum Fn {
        SCALE(VectorMath.SCALE), SHIFT(VectorMath.SHIFT), EXP(VectorMath.EXP), LOG(VectorMath.LOG), SQRT(VectorMath.SQRT),
        POW(VectorMath.POW), RELU(VectorMath.RELU), LEAKY_RELU(VectorMath.LEAKY_RELU), SIGMOID(VectorMath.SIGMOID),
        TANH(VectorMath.TANH), LEAKY_RELU_GRAD(VectorMath.LEAKY_RELU_GRAD);
        final int code;
        Fn(int code) { this.code = code; }
    }

    static Tensor binary(Op op, Tensor a, Tensor b) {
        int[] shape = broadcastShapes(op.name().toLowerCase(), a.shape, b.shape);
        DType dt = a.dtype == DType.FLOAT64 || b.dtype == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
        Tensor c = Tensor.zeros(dt, shape);
        if (c.numel == 0) return c;
        Tensor av = a.broadcastTo(shape), bv = b.broadcastTo(shape);
        Strided.Plan p = Strided.plan(shape, av.strides, bv.strides, c.strides);
        int n = p.rowLength(), sa = p.innerStride(0), sb = p.innerStride(1);
        int[] base = {av.offset, bv.offset, 0};
        if (dt == DType.FLOAT32) {
            float[] x = av.f, y = bv.f, z = c.f;
            if (p.shape().length == 1 && n >= PARALLEL_MIN) {
                // one long row (same-shape operands): split it over the kernel pool
                Parallel.forRange(n, 1, PARALLEL_MIN, (from, to) ->
                        VectorMath.binary(op.code, x, base[0] + from * sa, sa, y, base[1] + from * sb, sb, z, from, to - from));
                return c;
            }
            Strided.rows(p, base, (oa, ob, oc) -> VectorMath.binary(op.code, x, oa, sa, y, ob, sb, z, oc, n));
        } else {
            double[] z = c.d;
            Strided.rows(p, base, (oa, ob, oc) -> {
                for (int i = 0; i < n; i++) z[oc + i] = ScalarMath.applyBinary(op.code, av.read(oa + i * sa), bv.read(ob + i * sb));
            });
        }
        return c;
    }

    static Tensor unary(Fn fn, Tensor a, double param) {
        Tensor src = a.contiguous();
        Tensor c = Tensor.zeros(a.dtype, a.shape);
        if (a.dtype == DType.FLOAT32) {
            float[] x = src.f, z = c.f;
            int off = src.offset;
            Parallel.forRange(c.numel, 1, PARALLEL_MIN, (from, to) -> VectorMath.unary(fn.code, x, off + from, z, from, to - from, (float) param));
        } else {
            for (int i = 0; i < c.numel; i++) c.d[i] = ScalarMath.applyUnary(fn.code, src.d[src.offset + i], param);
        }
        return c;
    }

    static Tensor clamp(Tensor a, double lo, double hi) {
        if (!(lo <= hi)) throw new IllegalArgumentException("clamp: lower bound " + lo + " above upper bound " + hi);
        Tensor src = a.contiguous();
        Tensor c = Tensor.zeros(a.dtype, a.shape);
        for (int i = 0; i < c.numel; i++) c.write(i, Math.min(hi, Math.max(lo, src.read(src.offset + i))));
        return c;
    }

    /** dst[...] = src[...] for two tensors of one shape, any strides and types. */
    static void copyInto(Tensor src, Tensor dst) {
        if (dst.numel == 0) return;
        Strided.Plan p = Strided.plan(dst.shape, src.strides, dst.strides);
        int n = p.rowLength(), ss = p.innerStride(0), sd = p.innerStride(1);
        boolean floats = src.f != null && dst.f != null;
        Strided.rows(p, new int[] {src.offset, dst.offset}, (os, od, unused) -> {
            if (floats && ss == 1 && sd == 1) {
                System.arraycopy(src.f, os, dst.f, od, n);
            } else {
                for (int i = 0; i < n; i++) dst.write(od + i * sd, src.read(os + i * ss));
            }
        });
    }

    /** dst[...] += src[...] for two tensors of one shape, any strides. */
    static void addInto(Tensor src, Tensor dst) {
        if (dst.numel == 0) return;
        Strided.Plan p = Strided.plan(dst.shape, src.strides, dst.strides);
        int n = p.rowLength(), ss = p.innerStride(0), sd = p.innerStride(1);
        boolean floats = src.f != null && dst.f != null;
        Strided.rows(p, new int[] {src.offset, dst.offset}, (os, od, unused) -> {
            if (floats && sd == 1) {
                VectorMath.binary(VectorMath.ADD, dst.f, od, 1, src.f, os, ss, dst.f, od, n);
            } else {
                for (int i = 0; i < n; i++) dst.write(od + i * sd, dst.read(od + i * sd) + src.read(os + i * ss));
            }
        });
    }

    /** The NumPy broadcast of two shapes, or an error naming the operation and both shapes. */
    static int[] broadcastShapes(String opName, int[] a, int[] b) {
        int r = Math.max(a.length, b.length);
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int x = i - (r - a.length) >= 0 ? a[i - (r - a.length)] : 1;
            int y = i - (r - b.length) >= 0 ? b[i - (r - b.length)] : 1;
            if (x != y && x != 1 && y != 1) {
                throw new IllegalArgumentException(opName + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            }
            out[i] = x == 1 ? y : x;
        }
        return out;
    }
}
