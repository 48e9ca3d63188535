package dev.lathe.tensor;

import java.util.Arrays;

/** Operations along one axis: softmax, log-softmax, concatenation. */
final class RowOps {
    private RowOps() {}

    static Tensor logSoftmax(Tensor t, int axis) { return softmaxLike(t, axis, true); }

    static Tensor softmax(Tensor t, int axis) { return softmaxLike(t, axis, false); }

    /** Subtracts the row maximum before exponentiating, so large logits cannot overflow. */
    private static Tensor softmaxLike(Tensor t, int axis, boolean log) {
        Tensor c = t.contiguous();
        Tensor out = Tensor.zeros(t.dtype, t.shape);
        int dim = t.shape[axis], inner = Reduce.inner(t.shape, axis);
        if (dim == 0 || t.numel == 0) return out;
        int outer = t.numel / (dim * inner);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * dim * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                for (int k = 0; k < dim; k++) max = Math.max(max, c.read(c.offset + base + k * inner));
                double sum = 0;
                for (int k = 0; k < dim; k++) sum += Math.exp(c.read(c.offset + base + k * inner) - max);
                double logSum = Math.log(sum);
                for (int k = 0; k < dim; k++) {
                    double z = c.read(c.offset + base + k * inner) - max;
                    out.write(base + k * inner, log ? z - logSum : Math.exp(z) / sum);
                }
            }
        }
        return out;
    }

    static Tensor concat(int axis, Tensor... parts) {
        if (parts.length == 0) throw new IllegalArgumentException("concat: no tensors given");
        Tensor first = parts[0];
        int a = first.axis(axis);
        int[] shape = first.shape.clone();
        DType dt = first.dtype;
        int total = 0;
        for (Tensor p : parts) {
            if (p.shape.length != shape.length) {
                throw new IllegalArgumentException("concat: rank of " + Arrays.toString(p.shape) + " differs from " + Arrays.toString(first.shape));
            }
            for (int i = 0; i < shape.length; i++) {
                if (i != a && p.shape[i] != shape[i]) {
                    throw new IllegalArgumentException("concat along axis " + a + ": shape " + Arrays.toString(p.shape)
                            + " does not match " + Arrays.toString(first.shape) + " off that axis");
                }
            }
            total += p.shape[a];
            if (p.dtype == DType.FLOAT64) dt = DType.FLOAT64;
        }
        shape[a] = total;
        Tensor out = Tensor.zeros(dt, shape);
        int at = 0;
        for (Tensor p : parts) {
            Elementwise.copyInto(p, out.slice(a, at, at + p.shape[a]));
            at += p.shape[a];
        }
        return out;
    }
}
