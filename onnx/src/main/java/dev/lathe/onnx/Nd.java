package dev.lathe.onnx;

import dev.lathe.tensor.Tensor;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;

/**
 * Structural ops on row-major double arrays (the ONNX data-movement operators: broadcasting,
 * gather, strided slices, padding, tiling). Values are copied into doubles once; float32 results
 * are rounded back by the caller, so no precision is lost in moving numbers around.
 */
final class Nd {
    private Nd() {}

    record Array(double[] data, int[] shape) {
        int size() { return data.length; }
    }

    static int[] strides(int[] shape) { return Tensor.contiguousStrides(shape); }

    static int numel(int[] shape) { return Tensor.count(shape); }

    /** Steps a row-major position through a shape (the last axis fastest). */
    static void next(int[] pos, int[] shape) {
        for (int d = shape.length - 1; d >= 0; d--) {
            if (++pos[d] < shape[d]) return;
            pos[d] = 0;
        }
    }

    /** The numpy broadcast of two shapes; an error names both. */
    static int[] broadcast(int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1, db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            if (da != db && da != 1 && db != 1) throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Source index for every position of {@code target}, reading an array of {@code shape} broadcast to it. */
    static int[] broadcastIndex(int[] shape, int[] target) {
        int n = numel(target), r = target.length, off = r - shape.length;
        int[] st = strides(shape), idx = new int[n], pos = new int[r];
        for (int i = 0; i < n; i++) {
            int src = 0;
            for (int d = off; d < r; d++) if (shape[d - off] != 1) src += pos[d] * st[d - off];
            idx[i] = src;
            next(pos, target);
        }
        return idx;
    }

    static Array expand(Array a, int[] target) {
        int[] idx = broadcastIndex(a.shape(), target);
        double[] out = new double[idx.length];
        for (int i = 0; i < idx.length; i++) out[i] = a.data()[idx[i]];
        return new Array(out, target);
    }

    static Array zip(Array a, Array b, DoubleBinaryOperator f) {
        int[] shape = broadcast(a.shape(), b.shape());
        int[] ia = broadcastIndex(a.shape(), shape), ib = broadcastIndex(b.shape(), shape);
        double[] out = new double[ia.length];
        for (int i = 0; i < out.length; i++) out[i] = f.applyAsDouble(a.data()[ia[i]], b.data()[ib[i]]);
        return new Array(out, shape);
    }

    static Array transpose(Array a, int[] perm) {
        int r = a.shape().length;
        int[] shape = new int[r], st = strides(a.shape());
        for (int i = 0; i < r; i++) shape[i] = a.shape()[perm[i]];
        double[] out = new double[a.size()];
        int[] pos = new int[r];
        for (int i = 0; i < out.length; i++) {
            int src = 0;
            for (int d = 0; d < r; d++) src += pos[d] * st[perm[d]];
            out[i] = a.data()[src];
            next(pos, shape);
        }
        return new Array(out, shape);
    }

    /** Elements along {@code axis} at the given indices (negative counts from the end); indices may have any shape. */
    static Array gather(Array a, int axis, long[] indices, int[] indexShape) {
        int[] s = a.shape();
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= s[d];
        for (int d = axis + 1; d < s.length; d++) inner *= s[d];
        int[] shape = new int[s.length - 1 + indexShape.length];
        System.arraycopy(s, 0, shape, 0, axis);
        System.arraycopy(indexShape, 0, shape, axis, indexShape.length);
        System.arraycopy(s, axis + 1, shape, axis + indexShape.length, s.length - axis - 1);
        double[] out = new double[outer * indices.length * inner];
        for (int o = 0; o < outer; o++) {
            for (int k = 0; k < indices.length; k++) {
                long ix = indices[k] < 0 ? indices[k] + s[axis] : indices[k];
                if (ix < 0 || ix >= s[axis]) throw new IllegalArgumentException("Gather: index " + indices[k] + " outside axis of size " + s[axis]);
                System.arraycopy(a.data(), (int) ((o * s[axis] + ix) * inner), out, (o * indices.length + k) * inner, inner);
            }
        }
        return new Array(out, shape);
    }

    /** Positions start, start+step, ... (before end) along each axis. */
    static Array slice(Array a, int[] start, int[] step, int[] count) {
        int r = a.shape().length;
        int[] st = strides(a.shape());
        double[] out = new double[numel(count)];
        int[] pos = new int[r];
        for (int i = 0; i < out.length; i++) {
            int src = 0;
            for (int d = 0; d < r; d++) src += (start[d] + pos[d] * step[d]) * st[d];
            out[i] = a.data()[src];
            next(pos, count);
        }
        return new Array(out, count);
    }

    /** ONNX Pad: begin/end amounts per axis (negative crops), modes constant, reflect, edge. */
    static Array pad(Array a, long[] pads, String mode, double value) {
        int r = a.shape().length;
        int[] shape = new int[r], st = strides(a.shape());
        for (int d = 0; d < r; d++) shape[d] = (int) (a.shape()[d] + pads[d] + pads[d + r]);
        double[] out = new double[numel(shape)];
        int[] pos = new int[r];
        for (int i = 0; i < out.length; i++) {
            int src = 0;
            boolean inside = true;
            for (int d = 0; d < r; d++) {
                int n = a.shape()[d];
                int p = (int) (pos[d] - pads[d]);
                if (p < 0 || p >= n) {
                    switch (mode) {
                        case "edge" -> p = p < 0 ? 0 : n - 1;
                        case "reflect" -> {
                            int period = 2 * (n - 1);
                            p = period == 0 ? 0 : Math.floorMod(p, period);
                            if (p >= n) p = period - p;
                        }
                        default -> inside = false;
                    }
                }
                src += p * st[d];
            }
            out[i] = inside ? a.data()[src] : value;
            next(pos, shape);
        }
        return new Array(out, shape);
    }

    static Array tile(Array a, long[] repeats) {
        int r = a.shape().length;
        int[] shape = new int[r], st = strides(a.shape());
        for (int d = 0; d < r; d++) shape[d] = (int) (a.shape()[d] * repeats[d]);
        double[] out = new double[numel(shape)];
        int[] pos = new int[r];
        for (int i = 0; i < out.length; i++) {
            int src = 0;
            for (int d = 0; d < r; d++) src += (pos[d] % a.shape()[d]) * st[d];
            out[i] = a.data()[src];
            next(pos, shape);
        }
        return new Array(out, shape);
    }
}
