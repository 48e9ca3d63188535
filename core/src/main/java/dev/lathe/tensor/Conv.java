package dev.lathe.tensor;

import dev.lathe.kernels.Conv2d;
import dev.lathe.kernels.ConvGeometry;
import dev.lathe.kernels.ConvReference;
import dev.lathe.kernels.Pool2d;
import java.util.Arrays;

/**
 * Convolution and pooling on NCHW tensors, forward and backward. float32 goes to the fast kernels
 * ({@link Conv2d}, {@link Pool2d}); float64 (gradient checks) to their scalar twin.
 */
public final class Conv {
    private Conv() {}

    /** The geometry of x [n, c, h, w] convolved with w [o, c/groups, kh, kw]; errors name the shapes. */
    public static ConvGeometry geometry(int[] x, int[] w, ConvSpec s) {
        if (x.length != 4) throw new IllegalArgumentException("conv2d: input must be [batch, channels, height, width], got " + Arrays.toString(x));
        if (w.length != 4) throw new IllegalArgumentException("conv2d: weights must be [out, in/groups, kh, kw], got " + Arrays.toString(w));
        if (x[1] != w[1] * s.groups()) {
            throw new IllegalArgumentException("conv2d: input has " + x[1] + " channels, weights " + Arrays.toString(w) + " with groups "
                    + s.groups() + " expect " + w[1] * s.groups());
        }
        return new ConvGeometry(x[0], x[1], x[2], x[3], w[0], w[2], w[3], s.strideH(), s.strideW(), s.padH(), s.padW(),
                s.dilationH(), s.dilationW(), s.groups());
    }

    /** The geometry of pooling x [n, c, h, w]. */
    public static ConvGeometry geometry(int[] x, PoolSpec p) {
        if (x.length != 4) throw new IllegalArgumentException("pool2d: input must be [batch, channels, height, width], got " + Arrays.toString(x));
        return new ConvGeometry(x[0], x[1], x[2], x[3], x[1], p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(), p.padW(), 1, 1, x[1], p.ceil());
    }

    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, ConvSpec s) { return conv2d(x, w, b, s, dev.lathe.kernels.Epilogue.NONE); }

    /** Convolution, bias and an activation (Epilogue.NONE, RELU, RELU6) in one pass: the inference runtime's fused form. */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, ConvSpec s, int activation) {
        ConvGeometry g = geometry(x.shape, w.shape, s);
        if (b != null && (b.dim() != 1 || b.size(0) != g.o())) {
            throw new IllegalArgumentException("conv2d: bias must be [" + g.o() + "], got " + Arrays.toString(b.shape));
        }
        int[] ys = {g.n(), g.o(), g.oh(), g.ow()};
        if (anyDouble(x, w, b)) {
            Tensor y = Tensor.zeros(DType.FLOAT64, ys);
            ConvReference.forward(g, x.toDoubleArray(), w.toDoubleArray(), b == null ? null : b.toDoubleArray(), y.d);
            return activation == dev.lathe.kernels.Epilogue.RELU ? y.relu() : activation == dev.lathe.kernels.Epilogue.RELU6 ? y.clamp(0, 6) : y;
        }
        Tensor y = Tensor.zeros(ys);
        Conv2d.forward(g, x.contiguous().floatData(), w.contiguous().floatData(), b == null ? null : b.contiguous().floatData(), y.f, activation);
        return y;
    }

    /** Gradient with respect to the input, of shape {@code xShape}. */
    public static Tensor conv2dBackwardData(Tensor gy, Tensor w, int[] xShape, ConvSpec s) {
        ConvGeometry g = geometry(xShape, w.shape, s);
        if (anyDouble(gy, w, null)) {
            Tensor dx = Tensor.zeros(DType.FLOAT64, xShape);
            ConvReference.backward(g, null, w.toDoubleArray(), gy.toDoubleArray(), dx.d, null);
            return dx;
        }
        Tensor dx = Tensor.zeros(xShape);
        Conv2d.backwardData(g, w.contiguous().floatData(), gy.contiguous().floatData(), dx.f);
        return dx;
    }

    /** Gradient with respect to the weights, summed over the batch. */
    public static Tensor conv2dBackwardWeight(Tensor gy, Tensor x, int[] wShape, ConvSpec s) {
        ConvGeometry g = geometry(x.shape, wShape, s);
        if (anyDouble(gy, x, null)) {
            Tensor dw = Tensor.zeros(DType.FLOAT64, wShape);
            ConvReference.backward(g, x.toDoubleArray(), null, gy.toDoubleArray(), null, dw.d);
            return dw;
        }
        Tensor dw = Tensor.zeros(wShape);
        Conv2d.backwardWeight(g, x.contiguous().floatData(), gy.contiguous().floatData(), dw.f);
        return dw;
    }

    /** Max pooling result and, per output, the flat input index of its maximum (for backward). */
    public record MaxPooled(Tensor y, int[] argmax) {}

    public static MaxPooled maxPool2d(Tensor x, PoolSpec p) {
        ConvGeometry g = geometry(x.shape, p);
        int[] ys = {g.n(), g.c(), g.oh(), g.ow()};
        if (x.dtype == DType.FLOAT64) {
            Tensor y = Tensor.zeros(DType.FLOAT64, ys);
            return new MaxPooled(y, ConvReference.maxPool(g, x.toDoubleArray(), y.d));
        }
        Tensor y = Tensor.zeros(ys);
        return new MaxPooled(y, Pool2d.maxForward(g, x.contiguous().floatData(), y.f));
    }

    public static Tensor maxPool2dBackward(Tensor gy, int[] argmax, int[] xShape, DType dtype) {
        Tensor dx = Tensor.zeros(dtype, xShape);
        if (dtype == DType.FLOAT64) {
            double[] g = gy.toDoubleArray();
            for (int i = 0; i < argmax.length; i++) dx.d[argmax[i]] += g[i];
        } else {
            Pool2d.maxBackward(argmax, gy.contiguous().floatData(), dx.f, xShape[0] * xShape[1]);
        }
        return dx;
    }

    public static Tensor avgPool2d(Tensor x, PoolSpec p, boolean countPad) {
        ConvGeometry g = geometry(x.shape, p);
        int[] ys = {g.n(), g.c(), g.oh(), g.ow()};
        if (x.dtype == DType.FLOAT64) {
            Tensor y = Tensor.zeros(DType.FLOAT64, ys);
            ConvReference.avgPool(g, x.toDoubleArray(), y.d, countPad);
            return y;
        }
        Tensor y = Tensor.zeros(ys);
        Pool2d.avgForward(g, x.contiguous().floatData(), y.f, countPad);
        return y;
    }

    public static Tensor avgPool2dBackward(Tensor gy, int[] xShape, PoolSpec p, boolean countPad, DType dtype) {
        ConvGeometry g = geometry(xShape, p);
        Tensor dx = Tensor.zeros(dtype, xShape);
        if (dtype == DType.FLOAT64) ConvReference.avgPoolBackward(g, gy.toDoubleArray(), dx.d, countPad);
        else Pool2d.avgBackward(g, gy.contiguous().floatData(), dx.f, countPad);
        return dx;
    }

    /**
     * Transposed convolution of x [n, in, h, w] with w [in, out/groups, kh, kw] (PyTorch's layout) plus
     * b [out] or null: the adjoint of conv2d with the same weights and spec, so it is computed as that
     * conv's input gradient. Output [n, out, (h-1)*sh - 2*ph + dh*(kh-1) + outPadH + 1, likewise w];
     * {@code outPad} (below the stride) picks one of the sizes a strided conv maps to h.
     */
    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor b, ConvSpec s, int outPadH, int outPadW) {
        int[] ys = convTransposeShape(x.shape, w.shape, s, outPadH, outPadW);
        if (b != null && (b.dim() != 1 || b.size(0) != ys[1])) throw new IllegalArgumentException("conv_transpose2d: bias must be [" + ys[1] + "], got " + Arrays.toString(b.shape));
        Tensor y = conv2dBackwardData(x, w, ys, s);
        return b == null ? y : y.add(b.reshape(1, ys[1], 1, 1));
    }

    /** The output shape of a transposed convolution; errors name the shapes. */
    public static int[] convTransposeShape(int[] x, int[] w, ConvSpec s, int outPadH, int outPadW) {
        if (x.length != 4) throw new IllegalArgumentException("conv_transpose2d: input must be [batch, channels, height, width], got " + Arrays.toString(x));
        if (w.length != 4 || w[0] != x[1]) throw new IllegalArgumentException("conv_transpose2d: weights must be [" + x[1] + " (input channels), out/groups, kh, kw], got " + Arrays.toString(w));
        if (outPadH < 0 || outPadW < 0 || (outPadH >= s.strideH() && outPadH >= s.dilationH()) || (outPadW >= s.strideW() && outPadW >= s.dilationW())) {
            throw new IllegalArgumentException("conv_transpose2d: output padding " + outPadH + "x" + outPadW + " must be >= 0 and below the stride " + s.strideH() + "x" + s.strideW());
        }
        int oh = (x[2] - 1) * s.strideH() - 2 * s.padH() + s.dilationH() * (w[2] - 1) + outPadH + 1;
        int ow = (x[3] - 1) * s.strideW() - 2 * s.padW() + s.dilationW() * (w[3] - 1) + outPadW + 1;
        if (oh < 1 || ow < 1) throw new IllegalArgumentException("conv_transpose2d: padding " + s.padH() + "x" + s.padW() + " leaves no output for input " + Arrays.toString(x));
        return new int[] {x[0], w[1] * s.groups(), oh, ow};
    }

    /** x [n, c, h, w] upsampled {@code sh} x {@code sw} times ({@link dev.lathe.kernels.Resize}). */
    public static Tensor resize(Tensor x, dev.lathe.kernels.Resize.Mode mode, int sh, int sw) {
        if (x.dim() != 4) throw new IllegalArgumentException("resize: input must be [batch, channels, height, width], got " + Arrays.toString(x.shape));
        int n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var th = dev.lathe.kernels.Resize.taps(mode, h, sh);
        var tw = dev.lathe.kernels.Resize.taps(mode, w, sw);
        int[] ys = {n, c, th.size(), tw.size()};
        if (x.dtype == DType.FLOAT64) {
            Tensor y = Tensor.zeros(DType.FLOAT64, ys);
            dev.lathe.kernels.Resize.forward(th, tw, n * c, h, w, x.toDoubleArray(), y.d);
            return y;
        }
        Tensor y = Tensor.zeros(ys);
        dev.lathe.kernels.Resize.forward(th, tw, n * c, h, w, x.contiguous().floatData(), 0, y.f, 0);
        return y;
    }

    /** The input gradient of {@link #resize}, in double precision, returned as {@code dtype}. */
    public static Tensor resizeBackward(Tensor gy, int[] xShape, dev.lathe.kernels.Resize.Mode mode, int sh, int sw, DType dtype) {
        int h = xShape[2], w = xShape[3];
        double[] dx = new double[xShape[0] * xShape[1] * h * w];
        dev.lathe.kernels.Resize.backward(dev.lathe.kernels.Resize.taps(mode, h, sh), dev.lathe.kernels.Resize.taps(mode, w, sw), xShape[0] * xShape[1], h, w, gy.toDoubleArray(), dx);
        return Tensor.of(dx, xShape).to(dtype);
    }

    private static boolean anyDouble(Tensor a, Tensor b, Tensor c) {
        return a.dtype == DType.FLOAT64 || b.dtype == DType.FLOAT64 || (c != null && c.dtype == DType.FLOAT64);
    }
}
