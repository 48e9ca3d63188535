package dev.lathe.tensor;

/** Window, stride and padding (height, width) of a 2-D pooling; {@code ceil} rounds output sizes up (ceil_mode). */
public record PoolSpec(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, boolean ceil) {
    public PoolSpec(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
        this(kernelH, kernelW, strideH, strideW, padH, padW, false);
    }

    public PoolSpec {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1) {
            throw new IllegalArgumentException("pool: kernel " + kernelH + "x" + kernelW + " and stride " + strideH + "x" + strideW + " must be >= 1");
        }
        // every window must hold an input element (ONNX: pads smaller than the kernel)
        if (padH < 0 || padW < 0 || padH >= kernelH || padW >= kernelW) {
            throw new IllegalArgumentException("pool: padding " + padH + "x" + padW + " must be >= 0 and smaller than the kernel " + kernelH + "x" + kernelW);
        }
    }

    /** Square window; stride = kernel (non-overlapping) when stride is 0. */
    public static PoolSpec of(int kernel, int stride, int padding) { return of(kernel, stride, padding, false); }

    public static PoolSpec of(int kernel, int stride, int padding, boolean ceil) {
        int s = stride == 0 ? kernel : stride;
        return new PoolSpec(kernel, kernel, s, s, padding, padding, ceil);
    }
}
