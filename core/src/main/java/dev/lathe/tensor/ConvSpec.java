package dev.lathe.tensor;

/** Stride, padding, dilation (height, width) and groups of a 2-D convolution. */
public record ConvSpec(int strideH, int strideW, int padH, int padW, int dilationH, int dilationW, int groups) {
    public ConvSpec {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1 || groups < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv: stride " + strideH + "x" + strideW + ", dilation " + dilationH + "x" + dilationW
                    + " and groups " + groups + " must be >= 1; padding " + padH + "x" + padW + " must be >= 0");
        }
    }

    /** Square stride and padding, no dilation, one group. */
    public static ConvSpec of(int stride, int padding) { return new ConvSpec(stride, stride, padding, padding, 1, 1, 1); }

    public ConvSpec withGroups(int g) { return new ConvSpec(strideH, strideW, padH, padW, dilationH, dilationW, g); }

    public ConvSpec withDilation(int d) { return new ConvSpec(strideH, strideW, padH, padW, d, d, groups); }
}
