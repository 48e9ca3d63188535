package dev.lathe.tensor;

import dev.lathe.kernels.Gemm;
import dev.lathe.kernels.GemmReference;
import java.util.Arrays;

/** Batched matrix product over the last two axes; batch axes broadcast. Strided views go to GEMM uncopied. */
final class MatMul {
    private MatMul() {}

    static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) throw new IllegalArgumentException("matmul: operands must have rank >= 1, got " + a.describe() + " and " + b.describe());
        boolean aVec = a.dim() == 1, bVec = b.dim() == 1;
        Tensor x = aVec ? a.reshape(1, a.shape[0]) : a;
        Tensor y = bVec ? b.reshape(b.shape[0], 1) : b;
        int ra = x.dim(), rb = y.dim();
        int m = x.shape[ra - 2], k = x.shape[ra - 1], k2 = y.shape[rb - 2], n = y.shape[rb - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul: " + Arrays.toString(a.shape) + " @ " + Arrays.toString(b.shape)
                    + ": inner dimensions " + k + " and " + k2 + " differ");
        }
        int[] batch = Elementwise.broadcastShapes("matmul", Arrays.copyOf(x.shape, ra - 2), Arrays.copyOf(y.shape, rb - 2));
        int nb = batch.length;
        x = x.broadcastTo(append(batch, m, k));
        y = y.broadcastTo(append(batch, k, n));
        DType dt = x.dtype == DType.FLOAT64 || y.dtype == DType.FLOAT64 ? DType.FLOAT64 : DType.FLOAT32;
        if (dt == DType.FLOAT64) {
            x = x.to(DType.FLOAT64);
            y = y.to(DType.FLOAT64);
        }
        Tensor c = Tensor.zeros(dt, append(batch, m, n));
        int batches = Tensor.count(batch);
        int[] idx = new int[nb];
        for (int bi = 0; bi < batches; bi++) {
            int xo = x.offset, yo = y.offset;
            for (int i = 0, r = bi; i < nb; i++) {
                int pos = nb - 1 - i;
                idx[pos] = r % batch[pos];
                r /= batch[pos];
            }
            for (int i = 0; i < nb; i++) {
                xo += idx[i] * x.strides[i];
                yo += idx[i] * y.strides[i];
            }
            int co = bi * m * n;
            if (dt == DType.FLOAT32) {
                Gemm.sgemm(m, n, k, 1f, x.f, xo, x.strides[nb], x.strides[nb + 1], y.f, yo, y.strides[nb], y.strides[nb + 1], 0f, c.f, co, n);
            } else {
                GemmReference.dgemm(m, n, k, x.d, xo, x.strides[nb], x.strides[nb + 1], y.d, yo, y.strides[nb], y.strides[nb + 1], c.d, co, n);
            }
        }
        if (aVec && bVec) return c.reshape(append(batch));
        if (aVec) return c.reshape(append(batch, n));
        if (bVec) return c.reshape(append(batch, m));
        return c;
    }

    static Tensor linear(Tensor x, Tensor w, Tensor b) {
        if (x.dim() != 2 || w.dim() != 2 || x.shape[1] != w.shape[1] || (b != null && (b.dim() != 1 || b.shape[0] != w.shape[0]))) {
            throw new IllegalArgumentException("linear: x " + Arrays.toString(x.shape) + ", w " + Arrays.toString(w.shape)
                    + (b == null ? "" : ", b " + Arrays.toString(b.shape)) + ": expected [rows, in], [out, in], [out]");
        }
        if (x.dtype != DType.FLOAT32 || w.dtype != DType.FLOAT32 || (b != null && b.dtype != DType.FLOAT32)) {
            Tensor y = x.matmul(w.transpose(0, 1));
            return b == null ? y : y.add(b);
        }
        int m = x.shape[0], k = x.shape[1], n = w.shape[0];
        Tensor c = Tensor.zeros(m, n);
        dev.lathe.kernels.Epilogue ep = b == null ? dev.lathe.kernels.Epilogue.IDENTITY
                : dev.lathe.kernels.Epilogue.columnBias(b.contiguous().floatData(), dev.lathe.kernels.Epilogue.NONE);
        Gemm.sgemm(m, n, k, 1f, x.f, x.offset, x.strides[0], x.strides[1], w.f, w.offset, w.strides[1], w.strides[0], 0f, c.f, 0, n, ep);
        return c;
    }

    private static int[] append(int[] head, int... tail) {
        int[] r = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, r, head.length, tail.length);
        return r;
    }
}
