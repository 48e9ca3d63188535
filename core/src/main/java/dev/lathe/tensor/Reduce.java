package dev.lathe.tensor;

import dev.lathe.kernels.ScalarMath;
import dev.lathe.kernels.VectorMath;
import java.util.Arrays;

/** Sums and maxima over axes. */
final class Reduce {
    private Reduce() {}

    static Tensor sum(Tensor t, int[] axes, boolean keepDims) {
        boolean[] reduced = new boolean[t.shape.length];
        for (int a : axes) reduced[a] = true;
        int[] kept = t.shape.clone();
        for (int i = 0; i < kept.length; i++) if (reduced[i]) kept[i] = 1;
        Tensor out = Tensor.zeros(t.dtype, kept);
        if (t.numel > 0) {
            // Walk the input; the output is addressed with stride 0 along reduced axes.
            int[] outStrides = out.strides.clone();
            for (int i = 0; i < kept.length; i++) if (reduced[i]) outStrides[i] = 0;
            Strided.Plan p = Strided.plan(t.shape, t.strides, outStrides);
            int n = p.rowLength(), si = p.innerStride(0), so = p.innerStride(1);
            Strided.rows(p, new int[] {t.offset, 0}, (oi, oo, unused) -> {
                if (so == 0) {
                    double s = t.f != null && si == 1 ? VectorMath.sum(t.f, oi, n) : rowSum(t, oi, si, n);
                    out.write(oo, out.read(oo) + s);
                } else if (t.f != null) {
                    VectorMath.binary(VectorMath.ADD, out.f, oo, 1, t.f, oi, si, out.f, oo, n);
                } else {
                    for (int i = 0; i < n; i++) out.d[oo + i] += t.d[oi + i * si];
                }
            });
        }
        if (keepDims) return out;
        int[] s = new int[kept.length - countTrue(reduced)];
        for (int i = 0, j = 0; i < kept.length; i++) if (!reduced[i]) s[j++] = kept[i];
        return out.reshape(s);
    }

    private static double rowSum(Tensor t, int o, int stride, int n) {
        if (t.f != null) return ScalarMath.sum(t.f, o, stride, n);
        double s = 0;
        for (int i = 0; i < n; i++) s += t.d[o + i * stride];
        return s;
    }

    /** Sums a broadcast result back to the shape it was broadcast from. */
    static Tensor sumTo(Tensor t, int[] target) {
        if (Arrays.equals(t.shape, target)) return t;
        int lead = t.shape.length - target.length;
        if (lead < 0) throw new IllegalArgumentException("sumTo: cannot reduce " + Arrays.toString(t.shape) + " to larger rank " + Arrays.toString(target));
        int[] axes = new int[t.shape.length];
        int na = 0;
        for (int i = 0; i < t.shape.length; i++) {
            if (i < lead) axes[na++] = i;
            else if (target[i - lead] == 1 && t.shape[i] != 1) axes[na++] = i;
            else if (target[i - lead] != t.shape[i]) {
                throw new IllegalArgumentException("sumTo: shape " + Arrays.toString(t.shape) + " is not a broadcast of " + Arrays.toString(target));
            }
        }
        return sum(t, Arrays.copyOf(axes, na), true).reshape(target);
    }

    static Tensor max(Tensor t, int axis, boolean keepDim) {
        int[] idx = argmax(t, axis);
        Tensor c = t.contiguous();
        int dim = t.shape[axis], inner = inner(t.shape, axis), outer = t.numel / Math.max(1, dim * inner);
        int[] kept = t.shape.clone();
        kept[axis] = 1;
        Tensor out = Tensor.zeros(t.dtype, kept);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int r = o * inner + i;
                out.write(r, c.read(c.offset + (o * dim + idx[r]) * inner + i));
            }
        }
        return keepDim ? out : out.reshape(dropAxis(t.shape, axis));
    }

    /** Index of the largest value along {@code axis} for each position of the other axes (row-major). */
    static int[] argmax(Tensor t, int axis) {
        int dim = t.shape[axis];
        if (dim == 0) throw new IllegalArgumentException("argmax/max: axis " + axis + " of shape " + Arrays.toString(t.shape) + " is empty");
        Tensor c = t.contiguous();
        int inner = inner(t.shape, axis), outer = t.numel / (dim * inner);
        int[] out = new int[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = c.offset + o * dim * inner + i, best = 0;
                double bv = c.read(base);
                for (int k = 1; k < dim; k++) {
                    double v = c.read(base + k * inner);
                    if (v > bv || (Double.isNaN(v) && !Double.isNaN(bv))) {
                        bv = v;
                        best = k;
                    }
                }
                out[o * inner + i] = best;
            }
        }
        return out;
    }

    static int inner(int[] shape, int axis) {
        int n = 1;
        for (int i = axis + 1; i < shape.length; i++) n *= shape[i];
        return n;
    }

    static int[] dropAxis(int[] shape, int axis) {
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != axis) s[j++] = shape[i];
        return s;
    }

    private static int countTrue(boolean[] b) {
        int n = 0;
        for (boolean x : b) if (x) n++;
        return n;
    }
}
