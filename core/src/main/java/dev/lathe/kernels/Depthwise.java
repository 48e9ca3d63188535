package dev.lathe.kernels;

import java.util.Arrays;

/**
 * Depthwise convolution (groups == channels == outputs): each channel with its own kh x kw filter.
 * Memory-bound (about one MAC per byte), so it runs as direct loops: for every filter tap, one
 * contiguous sweep over an output row (stride 1 through {@link VectorMath#axpy} and
 * {@link VectorMath#dot}; stride 2 is scalar), with the in-bounds column range computed once per tap
 * instead of testing every pixel. Channels spread over the pool.
 */
final class Depthwise {
    private Depthwise() {}

    static void forward(ConvGeometry g, float[] x, float[] w, float[] b, float[] y) { forward(g, x, 0, w, b, y, 0); }

    /** As above with the input starting at x[xBase] and the output at y[yBase] (the inference arena). */
    /** Per-thread plane for the stride-2 path's even/odd columns (reused: no allocation per call). */
    private static final ThreadLocal<float[][]> SPLIT = ThreadLocal.withInitial(() -> new float[1][0]);

    static void forward(ConvGeometry g, float[] x, int xBase, float[] w, float[] b, float[] y, int yBase) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), wd = g.w(), kk = g.kh() * g.kw();
        if (g.sw() == 2 && g.dw() == 1) {
            forwardStride2(g, x, xBase, w, b, y, yBase);
            return;
        }
        Parallel.forRange(g.n() * g.c(), (long) oh * ow * kk, 1L << 18, (from, to) -> {
            for (int nc = from; nc < to; nc++) {
                int ch = nc % g.c(), yo = yBase + nc * oh * ow, xo = xBase + nc * h * wd;
                Arrays.fill(y, yo, yo + oh * ow, b == null ? 0f : b[ch]);
                for (int u = 0; u < g.kh(); u++) {
                    for (int v = 0; v < g.kw(); v++) {
                        float wv = w[ch * kk + u * g.kw() + v];
                        int q0 = v * g.dw() - g.pw();
                        int jlo = Conv2d.firstInside(q0, g.sw()), jhi = Conv2d.endInside(q0, g.sw(), wd, ow);
                        for (int i = 0; i < oh; i++) {
                            int r = i * g.sh() - g.ph() + u * g.dh();
                            if (r < 0 || r >= h) continue;
                            int yr = yo + i * ow, xr = xo + r * wd + q0;
                            if (g.sw() == 1) VectorMath.axpy(wv, x, xr, y, yr, jlo, jhi);
                            else for (int j = jlo; j < jhi; j++) y[yr + j] += wv * x[xr + j * g.sw()];
                        }
                    }
                }
            }
        });
    }

    /**
     * Horizontal stride 2: each input plane is split once into its even and odd columns, so every
     * filter tap reads one of them contiguously and runs as a vector axpy like stride 1 (the
     * strided scalar loop was the slowest part of MobileNet's batch-1 inference).
     */
    private static void forwardStride2(ConvGeometry g, float[] x, int xBase, float[] w, float[] b, float[] y, int yBase) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), wd = g.w(), kk = g.kh() * g.kw(), half = (wd + 1) / 2;
        Parallel.forRange(g.n() * g.c(), (long) oh * ow * kk, 1L << 18, (from, to) -> {
            float[][] holder = SPLIT.get();
            if (holder[0].length < 2 * h * half) holder[0] = new float[2 * h * half];
            float[] split = holder[0];  // [parity][row][column / 2]
            for (int nc = from; nc < to; nc++) {
                int ch = nc % g.c(), yo = yBase + nc * oh * ow, xo = xBase + nc * h * wd;
                for (int r = 0; r < h; r++) {
                    int src = xo + r * wd, even = r * half, odd = h * half + r * half;
                    for (int q = 0; q < wd; q++) split[((q & 1) == 0 ? even : odd) + (q >> 1)] = x[src + q];
                    if ((wd & 1) == 1) split[odd + half - 1] = 0f;
                }
                Arrays.fill(y, yo, yo + oh * ow, b == null ? 0f : b[ch]);
                for (int u = 0; u < g.kh(); u++) {
                    for (int v = 0; v < g.kw(); v++) {
                        float wv = w[ch * kk + u * g.kw() + v];
                        int q0 = v - g.pw();  // input column of output j is 2j + q0
                        int jlo = Conv2d.firstInside(q0, 2), jhi = Conv2d.endInside(q0, 2, wd, ow);
                        int parity = Math.floorMod(q0, 2), shift = Math.floorDiv(q0, 2);  // 2j + q0 = 2 (j + shift) + parity
                        for (int i = 0; i < oh; i++) {
                            int r = i * g.sh() - g.ph() + u * g.dh();
                            if (r < 0 || r >= h) continue;
                            VectorMath.axpy(wv, split, parity * h * half + r * half + shift, y, yo + i * ow, jlo, jhi);
                        }
                    }
                }
            }
        });
    }

    static void backwardData(ConvGeometry g, float[] w, float[] gy, float[] dx) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), wd = g.w(), kk = g.kh() * g.kw();
        Parallel.forRange(g.n() * g.c(), (long) oh * ow * kk, 1L << 18, (from, to) -> {
            for (int nc = from; nc < to; nc++) {
                int ch = nc % g.c(), yo = nc * oh * ow, xo = nc * h * wd;
                Arrays.fill(dx, xo, xo + h * wd, 0f);
                for (int u = 0; u < g.kh(); u++) {
                    for (int v = 0; v < g.kw(); v++) {
                        float wv = w[ch * kk + u * g.kw() + v];
                        int q0 = v * g.dw() - g.pw();
                        int jlo = Conv2d.firstInside(q0, g.sw()), jhi = Conv2d.endInside(q0, g.sw(), wd, ow);
                        for (int i = 0; i < oh; i++) {
                            int r = i * g.sh() - g.ph() + u * g.dh();
                            if (r < 0 || r >= h) continue;
                            int yr = yo + i * ow, xr = xo + r * wd + q0;
                            if (g.sw() == 1) VectorMath.axpy(wv, gy, yr, dx, xr, jlo, jhi);
                            else for (int j = jlo; j < jhi; j++) dx[xr + j * g.sw()] += wv * gy[yr + j];
                        }
                    }
                }
            }
        });
    }

    static void backwardWeight(ConvGeometry g, float[] x, float[] gy, float[] dw) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), wd = g.w(), kk = g.kh() * g.kw();
        Arrays.fill(dw, 0f);
        // parallel over channels: each channel's taps are summed over the batch by one thread
        Parallel.forRange(g.c(), (long) g.n() * oh * ow * kk, 1L << 18, (from, to) -> {
            for (int ch = from; ch < to; ch++) {
                for (int n = 0; n < g.n(); n++) {
                    int nc = n * g.c() + ch, yo = nc * oh * ow, xo = nc * h * wd;
                    for (int u = 0; u < g.kh(); u++) {
                        for (int v = 0; v < g.kw(); v++) {
                            int q0 = v * g.dw() - g.pw();
                            int jlo = Conv2d.firstInside(q0, g.sw()), jhi = Conv2d.endInside(q0, g.sw(), wd, ow);
                            float s = 0;
                            for (int i = 0; i < oh; i++) {
                                int r = i * g.sh() - g.ph() + u * g.dh();
                                if (r < 0 || r >= h) continue;
                                int yr = yo + i * ow, xr = xo + r * wd + q0;
                                if (g.sw() == 1) s += VectorMath.dot(gy, yr, x, xr, jlo, jhi);
                                else for (int j = jlo; j < jhi; j++) s += gy[yr + j] * x[xr + j * g.sw()];
                            }
                            dw[ch * kk + u * g.kw() + v] += s;
                        }
                    }
                }
            }
        });
    }
}
