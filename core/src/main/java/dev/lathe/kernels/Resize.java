package dev.lathe.kernels;

/**
 * Upsampling of [c, h, w] planes by whole factors, nearest or bilinear, as ONNX Resize computes them
 * with PyTorch's conventions: nearest reads source pixel floor(i / scale) (ONNX: asymmetric
 * coordinates, floor rounding); bilinear samples at (i + 0.5) / scale - 0.5 clamped to the image
 * (ONNX: half_pixel, PyTorch: align_corners=False). Each axis is a table of two taps and a weight
 * ({@link Taps}), so a pixel is (1 - fh)((1 - fw) x00 + fw x01) + fh((1 - fw) x10 + fw x11).
 * Scalar on purpose: the op moves memory (4 reads a write), it does little arithmetic. The float
 * loop serves the batch-1 runtime, the double loop training and the float64 gradient check.
 */
public final class Resize {
    private Resize() {}

    public enum Mode { NEAREST, BILINEAR }

    /** For each output index: the low and high source index and the high one's weight (also as floats, for the float loop). */
    public record Taps(Mode mode, int[] lo, int[] hi, double[] frac, float[] fracF) {
        public int size() { return lo.length; }
    }

    /** The taps of one axis of {@code in} values upsampled {@code scale} times. */
    public static Taps taps(Mode mode, int in, int scale) {
        if (in < 1 || scale < 1) throw new IllegalArgumentException("resize: size " + in + " and scale " + scale + " must be >= 1");
        int out = Math.multiplyExact(in, scale);
        int[] lo = new int[out], hi = new int[out];
        double[] frac = new double[out];
        for (int i = 0; i < out; i++) {
            if (mode == Mode.NEAREST) {
                lo[i] = hi[i] = i / scale;
                continue;
            }
            double src = Math.max(0, (i + 0.5) / scale - 0.5);
            int i0 = Math.min((int) Math.floor(src), in - 1);
            lo[i] = i0;
            hi[i] = Math.min(i0 + 1, in - 1);
            frac[i] = src - i0;
        }
        float[] f = new float[out];
        for (int i = 0; i < out; i++) f[i] = (float) frac[i];
        return new Taps(mode, lo, hi, frac, f);
    }

    /** y [c, th.size(), tw.size()] from x [c, h, w] at offsets. */
    public static void forward(Taps th, Taps tw, int c, int h, int w, float[] x, int xOff, float[] y, int yOff) {
        int oh = th.size(), ow = tw.size();
        float[] fw = tw.fracF();
        for (int ch = 0; ch < c; ch++) {
            int xp = xOff + ch * h * w, yp = yOff + ch * oh * ow;
            for (int i = 0; i < oh; i++) {
                int r0 = xp + th.lo()[i] * w, r1 = xp + th.hi()[i] * w, yr = yp + i * ow;
                if (th.mode() == Mode.NEAREST && tw.mode() == Mode.NEAREST) {  // a copy: exact for any value, infinities included
                    for (int j = 0; j < ow; j++) y[yr + j] = x[r0 + tw.lo()[j]];
                    continue;
                }
                float fh = th.fracF()[i];
                for (int j = 0; j < ow; j++) {
                    int c0 = tw.lo()[j], c1 = tw.hi()[j];
                    float top = x[r0 + c0] + fw[j] * (x[r0 + c1] - x[r0 + c0]);
                    float bottom = x[r1 + c0] + fw[j] * (x[r1 + c1] - x[r1 + c0]);
                    y[yr + j] = top + fh * (bottom - top);
                }
            }
        }
    }

    /** The same in double precision (training, gradient checks). */
    public static void forward(Taps th, Taps tw, int c, int h, int w, double[] x, double[] y) {
        int oh = th.size(), ow = tw.size();
        for (int ch = 0; ch < c; ch++) {
            int xp = ch * h * w, yp = ch * oh * ow;
            for (int i = 0; i < oh; i++) {
                int r0 = xp + th.lo()[i] * w, r1 = xp + th.hi()[i] * w, yr = yp + i * ow;
                if (th.mode() == Mode.NEAREST && tw.mode() == Mode.NEAREST) {
                    for (int j = 0; j < ow; j++) y[yr + j] = x[r0 + tw.lo()[j]];
                    continue;
                }
                double fh = th.frac()[i];
                for (int j = 0; j < ow; j++) {
                    int c0 = tw.lo()[j], c1 = tw.hi()[j];
                    double fw = tw.frac()[j];
                    double top = x[r0 + c0] + fw * (x[r0 + c1] - x[r0 + c0]);
                    double bottom = x[r1 + c0] + fw * (x[r1 + c1] - x[r1 + c0]);
                    y[yr + j] = top + fh * (bottom - top);
                }
            }
        }
    }

    /** gx [c, h, w] += the gradient of forward for gy: each output's gradient split over its four taps by their weights. */
    public static void backward(Taps th, Taps tw, int c, int h, int w, double[] gy, double[] gx) {
        int oh = th.size(), ow = tw.size();
        for (int ch = 0; ch < c; ch++) {
            int xp = ch * h * w, yp = ch * oh * ow;
            for (int i = 0; i < oh; i++) {
                int r0 = xp + th.lo()[i] * w, r1 = xp + th.hi()[i] * w, yr = yp + i * ow;
                double fh = th.frac()[i];
                for (int j = 0; j < ow; j++) {
                    int c0 = tw.lo()[j], c1 = tw.hi()[j];
                    double fw = tw.frac()[j], g = gy[yr + j], top = g * (1 - fh), bottom = g * fh;
                    gx[r0 + c0] += top * (1 - fw);
                    gx[r0 + c1] += top * fw;
                    gx[r1 + c0] += bottom * (1 - fw);
                    gx[r1 + c1] += bottom * fw;
                }
            }
        }
    }
}
