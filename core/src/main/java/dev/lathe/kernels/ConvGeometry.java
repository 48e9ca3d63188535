package dev.lathe.kernels;

/**
 * Shapes of a 2-D convolution or pooling window over NCHW data: input [n, c, h, w], weights
 * [o, c/groups, kh, kw], output [n, o, oh, ow]. Construction validates everything and names the
 * bad value, so kernels can trust it. {@code ceil} (pooling only) rounds the output size up, as
 * PyTorch's and ONNX's ceil_mode: the last window may hang past the bottom/right edge, but must
 * start inside the input or its left padding.
 */
public record ConvGeometry(int n, int c, int h, int w, int o, int kh, int kw,
                           int sh, int sw, int ph, int pw, int dh, int dw, int groups, boolean ceil) {
    public ConvGeometry(int n, int c, int h, int w, int o, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw, int groups) {
        this(n, c, h, w, o, kh, kw, sh, sw, ph, pw, dh, dw, groups, false);
    }

    public ConvGeometry {
        if (n < 0 || c < 1 || h < 1 || w < 1 || o < 1) {
            throw new IllegalArgumentException("conv: input [" + n + ", " + c + ", " + h + ", " + w + "] and " + o + " outputs must be positive");
        }
        if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || dh < 1 || dw < 1 || ph < 0 || pw < 0) {
            throw new IllegalArgumentException("conv: kernel " + kh + "x" + kw + ", stride " + sh + "x" + sw + ", dilation " + dh + "x" + dw
                    + " must be >= 1 and padding " + ph + "x" + pw + " >= 0");
        }
        if (groups < 1 || c % groups != 0 || o % groups != 0) {
            throw new IllegalArgumentException("conv: groups " + groups + " must divide input channels " + c + " and output channels " + o);
        }
        int effH = dh * (kh - 1) + 1, effW = dw * (kw - 1) + 1;
        if (effH > h + 2 * ph || effW > w + 2 * pw) {
            throw new IllegalArgumentException("conv: kernel " + kh + "x" + kw + (dh > 1 || dw > 1 ? " (dilated to " + effH + "x" + effW + ")" : "")
                    + " is larger than the padded input " + (h + 2 * ph) + "x" + (w + 2 * pw));
        }
    }

    public int oh() { return outSize(h, ph, dh * (kh - 1) + 1, sh); }

    public int ow() { return outSize(w, pw, dw * (kw - 1) + 1, sw); }

    private int outSize(int in, int pad, int window, int stride) {
        int span = in + 2 * pad - window;
        if (!ceil) return span / stride + 1;
        int out = (span + stride - 1) / stride + 1;
        return (out - 1) * stride >= in + pad ? out - 1 : out;
    }

    /** Whether some window reaches past the padded input (ceil mode only): kernels must bounds-check. */
    public boolean overhangs() { return ceil && ((oh() - 1) * sh + dh * (kh - 1) + 1 > h + 2 * ph || (ow() - 1) * sw + dw * (kw - 1) + 1 > w + 2 * pw); }

    /** Input channels per group. */
    public int cg() { return c / groups; }

    /** Output channels per group. */
    public int og() { return o / groups; }

    /** Multiply-accumulates of the forward pass. */
    public long macs() { return (long) n * o * oh() * ow() * cg() * kh * kw; }

    public boolean isDepthwise() { return groups == c && groups == o; }

    /** 1x1, stride 1, no padding: the input already is the im2col matrix. */
    public boolean isPointwise() { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0; }
}
