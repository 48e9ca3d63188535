package dev.lathe.kernels;

import java.util.Arrays;

/**
 * 2-D convolution over NCHW float arrays. Dense and grouped convolutions lower onto {@link Gemm}:
 * per sample and group, Y[og, oh*ow] = W[og, cg*kh*kw] x col[cg*kh*kw, oh*ow], where col is the
 * im2col matrix (or the input itself for 1x1 stride-1 convolutions, which need no copy). Depthwise
 * convolutions (one filter per channel) have too little work per output for a GEMM and run as
 * direct row loops ({@link Depthwise}). Samples are spread over the {@link Parallel} pool; with
 * one sample the GEMM itself goes parallel. The scalar twin is {@link ConvReference}.
 */
public final class Conv2d {
    private Conv2d() {}

    /** y = conv(x, w) + b (b may be null); y is overwritten. */
    public static void forward(ConvGeometry g, float[] x, float[] w, float[] b, float[] y) {
        if (g.isDepthwise()) {
            Depthwise.forward(g, x, w, b, y);
            return;
        }
        int ohw = g.oh() * g.ow(), cgkk = g.cg() * g.kh() * g.kw(), og = g.og();
        Parallel.forRange(g.n(), g.macs() / Math.max(1, g.n()), 1L << 20, (from, to) -> {
            float[] col = g.isPointwise() ? null : new float[cgkk * ohw];
            for (int n = from; n < to; n++) {
                for (int grp = 0; grp < g.groups(); grp++) {
                    int xo = (n * g.c() + grp * g.cg()) * g.h() * g.w(), yo = (n * g.o() + grp * og) * ohw;
                    float[] bm = x;
                    int bo = xo;
                    if (col != null) {
                        im2col(g, x, xo, col);
                        bm = col;
                        bo = 0;
                    }
                    Gemm.sgemm(og, ohw, cgkk, 1f, w, grp * og * cgkk, cgkk, 1, bm, bo, ohw, 1, 0f, y, yo, ohw);
                    if (b != null) {
                        for (int o = 0; o < og; o++) {
                            float bv = b[grp * og + o];
                            int r = yo + o * ohw;
                            for (int i = 0; i < ohw; i++) y[r + i] += bv;
                        }
                    }
                }
            }
        });
    }

    /** dx = gradient of the input; dx is overwritten. */
    public static void backwardData(ConvGeometry g, float[] w, float[] gy, float[] dx) {
        if (g.isDepthwise()) {
            Depthwise.backwardData(g, w, gy, dx);
            return;
        }
        int ohw = g.oh() * g.ow(), cgkk = g.cg() * g.kh() * g.kw(), og = g.og(), hw = g.h() * g.w();
        Parallel.forRange(g.n(), g.macs() / Math.max(1, g.n()), 1L << 20, (from, to) -> {
            float[] dcol = g.isPointwise() ? null : new float[cgkk * ohw];
            for (int n = from; n < to; n++) {
                for (int grp = 0; grp < g.groups(); grp++) {
                    int xo = (n * g.c() + grp * g.cg()) * hw, yo = (n * g.o() + grp * og) * ohw;
                    // dcol[cgkk, ohw] = W^T[cgkk, og] x gy[og, ohw]; W^T is a strided view of W
                    if (dcol == null) {
                        Gemm.sgemm(cgkk, ohw, og, 1f, w, grp * og * cgkk, 1, cgkk, gy, yo, ohw, 1, 0f, dx, xo, ohw);
                    } else {
                        Gemm.sgemm(cgkk, ohw, og, 1f, w, grp * og * cgkk, 1, cgkk, gy, yo, ohw, 1, 0f, dcol, 0, ohw);
                        Arrays.fill(dx, xo, xo + g.cg() * hw, 0f);
                        col2im(g, dcol, dx, xo);
                    }
                }
            }
        });
    }

    /** dw = gradient of the weights, summed over the batch; dw is overwritten. */
    public static void backwardWeight(ConvGeometry g, float[] x, float[] gy, float[] dw) {
        if (g.isDepthwise()) {
            Depthwise.backwardWeight(g, x, gy, dw);
            return;
        }
        int ohw = g.oh() * g.ow(), cgkk = g.cg() * g.kh() * g.kw(), og = g.og();
        Arrays.fill(dw, 0f);
        Object lock = new Object();
        Parallel.forRange(g.n(), g.macs() / Math.max(1, g.n()), 1L << 20, (from, to) -> {
            float[] col = g.isPointwise() ? null : new float[cgkk * ohw];
            float[] part = new float[dw.length];
            for (int n = from; n < to; n++) {
                for (int grp = 0; grp < g.groups(); grp++) {
                    int xo = (n * g.c() + grp * g.cg()) * g.h() * g.w(), yo = (n * g.o() + grp * og) * ohw;
                    float[] bm = x;
                    int bo = xo;
                    if (col != null) {
                        im2col(g, x, xo, col);
                        bm = col;
                        bo = 0;
                    }
                    // dW[og, cgkk] += gy[og, ohw] x col^T[ohw, cgkk]
                    Gemm.sgemm(og, cgkk, ohw, 1f, gy, yo, ohw, 1, bm, bo, 1, ohw, 1f, part, grp * og * cgkk, cgkk);
                }
            }
            synchronized (lock) {
                for (int i = 0; i < dw.length; i++) dw[i] += part[i];
            }
        });
    }

    /** db[o] = sum of gy over batch and positions; db is overwritten. */
    public static void backwardBias(ConvGeometry g, float[] gy, float[] db) {
        int ohw = g.oh() * g.ow();
        Arrays.fill(db, 0f);
        for (int n = 0; n < g.n(); n++) {
            for (int o = 0; o < g.o(); o++) db[o] += (float) VectorMath.sum(gy, (n * g.o() + o) * ohw, ohw);
        }
    }

    /** col[(ci*kh + u)*kw + v][i*ow + j] = x[ci][i*sh - ph + u*dh][j*sw - pw + v*dw], 0 outside. */
    static void im2col(ConvGeometry g, float[] x, int xo, float[] col) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), w = g.w();
        int row = 0;
        for (int ci = 0; ci < g.cg(); ci++) {
            for (int u = 0; u < g.kh(); u++) {
                for (int v = 0; v < g.kw(); v++, row++) {
                    int base = row * oh * ow, q0 = v * g.dw() - g.pw();
                    int jlo = firstInside(q0, g.sw()), jhi = endInside(q0, g.sw(), w, ow);
                    for (int i = 0; i < oh; i++) {
                        int r = i * g.sh() - g.ph() + u * g.dh(), d = base + i * ow;
                        if (r < 0 || r >= h || jlo >= jhi) {
                            Arrays.fill(col, d, d + ow, 0f);
                            continue;
                        }
                        int src = xo + (ci * h + r) * w + q0;
                        Arrays.fill(col, d, d + jlo, 0f);
                        if (g.sw() == 1) System.arraycopy(x, src + jlo, col, d + jlo, jhi - jlo);
                        else for (int j = jlo; j < jhi; j++) col[d + j] = x[src + j * g.sw()];
                        Arrays.fill(col, d + jhi, d + ow, 0f);
                    }
                }
            }
        }
    }

    /** The adjoint of im2col: adds each col entry back onto the input position it came from. */
    static void col2im(ConvGeometry g, float[] col, float[] dx, int xo) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), w = g.w();
        int row = 0;
        for (int ci = 0; ci < g.cg(); ci++) {
            for (int u = 0; u < g.kh(); u++) {
                for (int v = 0; v < g.kw(); v++, row++) {
                    int base = row * oh * ow, q0 = v * g.dw() - g.pw();
                    int jlo = firstInside(q0, g.sw()), jhi = endInside(q0, g.sw(), w, ow);
                    for (int i = 0; i < oh; i++) {
                        int r = i * g.sh() - g.ph() + u * g.dh();
                        if (r < 0 || r >= h) continue;
                        int dst = xo + (ci * h + r) * w + q0, s = base + i * ow;
                        for (int j = jlo; j < jhi; j++) dx[dst + j * g.sw()] += col[s + j];
                    }
                }
            }
        }
    }

    /** First output column j whose input column j*stride + q0 is >= 0. */
    static int firstInside(int q0, int stride) { return q0 >= 0 ? 0 : (-q0 + stride - 1) / stride; }

    /** One past the last output column j (below ow) whose input column j*stride + q0 is < w. */
    static int endInside(int q0, int stride, int w, int ow) {
        if (w - 1 - q0 < 0) return 0;
        return Math.min(ow, (w - 1 - q0) / stride + 1);
    }
}
