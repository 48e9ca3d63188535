package dev.lathe.kernels;

import java.util.Arrays;

/**
 * Max and average pooling over NCHW float arrays (geometry with o == c, one window per channel;
 * dilation applies to max pooling only). Max pooling records the input index of each maximum, so
 * its backward pass is a scatter. Scalar twin: {@link ConvReference}.
 */
public final class Pool2d {
    private Pool2d() {}

    /** y = max over each window; returns, per output, the input index of the (first) maximum. */
    public static int[] maxForward(ConvGeometry g, float[] x, float[] y) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), w = g.w();
        int[] arg = new int[g.n() * g.c() * oh * ow];
        Parallel.forRange(g.n() * g.c(), (long) oh * ow * g.kh() * g.kw(), 1L << 18, (from, to) -> {
            for (int nc = from; nc < to; nc++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float best = Float.NEGATIVE_INFINITY;
                        int at = -1;
                        for (int u = 0; u < g.kh(); u++) {
                            int r = i * g.sh() - g.ph() + u * g.dh();
                            if (r < 0 || r >= h) continue;
                            for (int v = 0; v < g.kw(); v++) {
                                int q = j * g.sw() - g.pw() + v * g.dw();
                                if (q < 0 || q >= w) continue;
                                int xi = (nc * h + r) * w + q;
                                float xv = x[xi];
                                if (at < 0 || xv > best || Float.isNaN(xv)) {
                                    best = xv;
                                    at = xi;
                                }
                            }
                        }
                        int yi = (nc * oh + i) * ow + j;
                        y[yi] = best;
                        arg[yi] = at;
                    }
                }
            }
        });
        return arg;
    }

    /** dx (overwritten) receives each output gradient at the position of its maximum. */
    public static void maxBackward(int[] arg, float[] gy, float[] dx) {
        Arrays.fill(dx, 0f);
        for (int i = 0; i < arg.length; i++) dx[arg[i]] += gy[i];
    }

    /** y = mean of each window; with {@code countPad} padded taps count in the divisor (PyTorch's default). */
    public static void avgForward(ConvGeometry g, float[] x, float[] y, boolean countPad) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), w = g.w();
        for (int nc = 0; nc < g.n() * g.c(); nc++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    float s = 0;
                    int cnt = 0;
                    for (int u = 0; u < g.kh(); u++) {
                        int r = i * g.sh() - g.ph() + u;
                        if (r < 0 || r >= h) continue;
                        for (int v = 0; v < g.kw(); v++) {
                            int q = j * g.sw() - g.pw() + v;
                            if (q < 0 || q >= w) continue;
                            s += x[(nc * h + r) * w + q];
                            cnt++;
                        }
                    }
                    y[(nc * oh + i) * ow + j] = s / (countPad ? g.kh() * g.kw() : Math.max(1, cnt));
                }
            }
        }
    }

    /** dx (overwritten) = each output gradient shared evenly over its window. */
    public static void avgBackward(ConvGeometry g, float[] gy, float[] dx, boolean countPad) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), w = g.w();
        Arrays.fill(dx, 0f);
        for (int nc = 0; nc < g.n() * g.c(); nc++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    int rlo = Math.max(0, i * g.sh() - g.ph()), rhi = Math.min(h, i * g.sh() - g.ph() + g.kh());
                    int qlo = Math.max(0, j * g.sw() - g.pw()), qhi = Math.min(w, j * g.sw() - g.pw() + g.kw());
                    int cnt = Math.max(0, rhi - rlo) * Math.max(0, qhi - qlo);
                    float share = gy[(nc * oh + i) * ow + j] / (countPad ? g.kh() * g.kw() : Math.max(1, cnt));
                    for (int r = rlo; r < rhi; r++) for (int q = qlo; q < qhi; q++) dx[(nc * h + r) * w + q] += share;
                }
            }
        }
    }
}
