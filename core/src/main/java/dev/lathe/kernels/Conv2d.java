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

    /**
     * Samples per GEMM for kxk convolutions: enough that the GEMM's N (samples x oh*ow) is >= 1024,
     * so weights are packed once per chunk and the ragged last column panel is amortized (at 14x14,
     * one sample gives N = 196 = 6 panels of 32 plus a 4-wide edge).
     */
    static final int CHUNK_COLS = 1024;
    static int chunk(ConvGeometry g) { return Math.max(1, Math.min(g.n(), (CHUNK_COLS + g.oh() * g.ow() - 1) / (g.oh() * g.ow()))); }

    /** y = conv(x, w) + b (b may be null); y is overwritten. */
    public static void forward(ConvGeometry g, float[] x, float[] w, float[] b, float[] y) { forward(g, x, w, b, y, Epilogue.NONE); }

    /**
     * As above, then the activation ({@link Epilogue#NONE}, RELU or RELU6) applied in the GEMM's
     * epilogue while the output tile is still in cache (the inference runtime's conv + bias + ReLU).
     */
    public static void forward(ConvGeometry g, float[] x, float[] w, float[] b, float[] y, int activation) {
        if (g.isDepthwise()) {
            depthwise(g, x, 0, w, b, y, 0, activation);
            return;
        }
        int ohw = g.oh() * g.ow(), cgkk = g.cg() * g.kh() * g.kw(), og = g.og(), hw = g.h() * g.w();
        if (g.isPointwise()) {
            Parallel.forRange(g.n(), g.macs() / Math.max(1, g.n()), 1L << 20, (from, to) -> {
                for (int n = from; n < to; n++) {
                    for (int grp = 0; grp < g.groups(); grp++) {
                        Gemm.sgemm(og, ohw, cgkk, 1f, w, grp * og * cgkk, cgkk, 1, x, (n * g.c() + grp * g.cg()) * hw, ohw, 1, 0f,
                                y, (n * g.o() + grp * og) * ohw, ohw, epilogue(b, grp * og, activation));
                    }
                }
            });
            return;
        }
        forEachChunk(g, cgkk, og, (n0, cnt, grp, col, out) -> {
            int ld = cnt * ohw;
            for (int k = 0; k < cnt; k++) im2col(g, x, ((n0 + k) * g.c() + grp * g.cg()) * hw, col, k * ohw, ld);
            Gemm.sgemm(og, ld, cgkk, 1f, w, grp * og * cgkk, cgkk, 1, col, 0, ld, 1, 0f, out, 0, ld, epilogue(b, grp * og, activation));
            for (int k = 0; k < cnt; k++) {
                int yo = ((n0 + k) * g.o() + grp * og) * ohw;
                for (int o = 0; o < og; o++) System.arraycopy(out, o * ld + k * ohw, y, yo + o * ohw, ohw);
            }
        });
    }

    /**
     * Batch-1 inference: input at x[xOff], output at y[yOff] (offsets into one arena), bias and
     * activation in the GEMM epilogue, and the im2col matrix in the caller's {@code scratch} (at least
     * {@link #scratchSize} floats), so a call allocates nothing of its own.
     */
    public static void forwardInto(ConvGeometry g, float[] x, int xOff, float[] w, float[] b, float[] y, int yOff, int activation, float[] scratch) {
        if (g.n() != 1) throw new IllegalArgumentException("forwardInto: batch 1 only, got " + g.n());
        int ohw = g.oh() * g.ow(), cgkk = g.cg() * g.kh() * g.kw(), og = g.og(), hw = g.h() * g.w();
        if (g.isDepthwise()) {
            depthwise(g, x, xOff, w, b, y, yOff, activation);
            return;
        }
        for (int grp = 0; grp < g.groups(); grp++) {
            int xo = xOff + grp * g.cg() * hw, yo = yOff + grp * og * ohw;
            if (g.isPointwise()) {
                Gemm.sgemm(og, ohw, cgkk, 1f, w, grp * og * cgkk, cgkk, 1, x, xo, ohw, 1, 0f, y, yo, ohw, epilogue(b, grp * og, activation));
            } else {
                im2col(g, x, xo, scratch, 0, ohw);
                Gemm.sgemm(og, ohw, cgkk, 1f, w, grp * og * cgkk, cgkk, 1, scratch, 0, ohw, 1, 0f, y, yo, ohw, epilogue(b, grp * og, activation));
            }
        }
    }

    /** Each group's weights [og, cg*kh*kw] packed once for the GEMM (inference: {@link #forwardInto(ConvGeometry, float[], int, Gemm.PackedA[], float[], float[], int, int, float[])}). */
    public static Gemm.PackedA[] packWeights(ConvGeometry g, float[] w) {
        int cgkk = g.cg() * g.kh() * g.kw(), og = g.og();
        Gemm.PackedA[] p = new Gemm.PackedA[g.groups()];
        for (int grp = 0; grp < p.length; grp++) p[grp] = Gemm.pack(og, cgkk, w, grp * og * cgkk, cgkk, 1);
        return p;
    }

    /** As {@link #forwardInto(ConvGeometry, float[], int, float[], float[], float[], int, int, float[])} with pre-packed weights (not for depthwise). */
    public static void forwardInto(ConvGeometry g, float[] x, int xOff, Gemm.PackedA[] w, float[] b, float[] y, int yOff, int activation, float[] scratch) {
        if (g.n() != 1) throw new IllegalArgumentException("forwardInto: batch 1 only, got " + g.n());
        int ohw = g.oh() * g.ow(), og = g.og(), hw = g.h() * g.w();
        for (int grp = 0; grp < g.groups(); grp++) {
            int xo = xOff + grp * g.cg() * hw, yo = yOff + grp * og * ohw;
            if (g.isPointwise()) {
                Gemm.sgemm(w[grp], ohw, x, xo, ohw, 1, 0f, y, yo, ohw, epilogue(b, grp * og, activation));
            } else {
                im2col(g, x, xo, scratch, 0, ohw);
                Gemm.sgemm(w[grp], ohw, scratch, 0, ohw, 1, 0f, y, yo, ohw, epilogue(b, grp * og, activation));
            }
        }
    }

    /** Depthwise has no GEMM and so no epilogue: the activation is one pass over its output afterwards. */
    private static void depthwise(ConvGeometry g, float[] x, int xOff, float[] w, float[] b, float[] y, int yOff, int activation) {
        Depthwise.forward(g, x, xOff, w, b, y, yOff);
        int n = g.n() * g.o() * g.oh() * g.ow();
        Epilogue.activation(activation).apply(y, yOff, n, 0, 1, 0, n);
    }

    /** Scratch floats {@link #forwardInto} needs for this geometry. */
    public static int scratchSize(ConvGeometry g) {
        return g.isDepthwise() || g.isPointwise() ? 0 : g.cg() * g.kh() * g.kw() * g.oh() * g.ow();
    }

    /** One chunk of samples [n0, n0 + cnt) for one group, with two per-thread scratch matrices. */
    @FunctionalInterface
    interface ChunkBody { void run(int n0, int cnt, int grp, float[] colScratch, float[] rowScratch); }

    /**
     * Runs body over every (chunk of samples, group), chunks spread over the pool; scratch holds
     * colRows x (chunk * oh*ow) and rowRows x (chunk * oh*ow) floats, allocated once per thread.
     */
    static void forEachChunk(ConvGeometry g, int colRows, int rowRows, ChunkBody body) {
        int ohw = g.oh() * g.ow(), s = chunk(g);
        // split samples evenly over threads first, then chunk within each thread's range (balanced parts)
        Parallel.forRange(g.n(), g.macs() / Math.max(1, g.n()), 1L << 20, (from, to) -> {
            float[] col = new float[colRows * s * ohw], rows = new float[rowRows * s * ohw];
            for (int n0 = from; n0 < to; n0 += s) {
                int cnt = Math.min(s, to - n0);
                for (int grp = 0; grp < g.groups(); grp++) body.run(n0, cnt, grp, col, rows);
            }
        });
    }

    /** The GEMM epilogue adding a group's bias slice per output channel (row of C) and the activation, or nothing. */
    private static Epilogue epilogue(float[] b, int first, int activation) {
        if (b == null) return Epilogue.activation(activation);
        return Epilogue.rowBias(b, first, activation);
    }

    /** Copies gy rows of samples n0 .. n0+cnt-1 for one group side by side: [og, cnt*ohw]. */
    private static void gatherRows(ConvGeometry g, float[] gy, int n0, int cnt, int grp, float[] dst) {
        int ohw = g.oh() * g.ow(), og = g.og(), ld = cnt * ohw;
        for (int k = 0; k < cnt; k++) {
            int yo = ((n0 + k) * g.o() + grp * og) * ohw;
            for (int o = 0; o < og; o++) System.arraycopy(gy, yo + o * ohw, dst, o * ld + k * ohw, ohw);
        }
    }

    /** dx = gradient of the input; dx is overwritten. */
    public static void backwardData(ConvGeometry g, float[] w, float[] gy, float[] dx) {
        if (g.isDepthwise()) {
            Depthwise.backwardData(g, w, gy, dx);
            return;
        }
        int ohw = g.oh() * g.ow(), cgkk = g.cg() * g.kh() * g.kw(), og = g.og(), hw = g.h() * g.w();
        if (g.isPointwise()) {
            Parallel.forRange(g.n(), g.macs() / Math.max(1, g.n()), 1L << 20, (from, to) -> {
                for (int n = from; n < to; n++) {
                    for (int grp = 0; grp < g.groups(); grp++) {
                        // dx[cg, hw] = W^T[cg, og] x gy[og, hw]; W^T is a strided view of W
                        Gemm.sgemm(cgkk, ohw, og, 1f, w, grp * og * cgkk, 1, cgkk, gy, (n * g.o() + grp * og) * ohw, ohw, 1, 0f,
                                dx, (n * g.c() + grp * g.cg()) * hw, ohw);
                    }
                }
            });
            return;
        }
        forEachChunk(g, cgkk, og, (n0, cnt, grp, dcol, rows) -> {
            int ld = cnt * ohw;
            gatherRows(g, gy, n0, cnt, grp, rows);
            Gemm.sgemm(cgkk, ld, og, 1f, w, grp * og * cgkk, 1, cgkk, rows, 0, ld, 1, 0f, dcol, 0, ld);
            for (int k = 0; k < cnt; k++) {
                int xo = ((n0 + k) * g.c() + grp * g.cg()) * hw;
                Arrays.fill(dx, xo, xo + g.cg() * hw, 0f);
                col2im(g, dcol, k * ohw, ld, dx, xo);
            }
        });
    }

    /**
     * One sample of a transposed convolution at arena offsets: y [c, h, w] = the adjoint of the conv
     * with geometry {@code g} (g's input is y, its output x [o, oh, ow]) applied to x, plus b [c] (or
     * null). Per group a GEMM W^T x into {@code col} ([cg kh kw, oh ow], {@link #transposeScratchSize}),
     * then col2im: the data gradient's path, with no allocation.
     */
    public static void transposeInto(ConvGeometry g, float[] x, int xOff, float[] w, float[] b, float[] y, int yOff, float[] col) {
        int ohw = g.oh() * g.ow(), cgkk = g.cg() * g.kh() * g.kw(), og = g.og(), hw = g.h() * g.w();
        Arrays.fill(y, yOff, yOff + g.c() * hw, 0f);
        for (int grp = 0; grp < g.groups(); grp++) {
            Gemm.sgemm(cgkk, ohw, og, 1f, w, grp * og * cgkk, 1, cgkk, x, xOff + grp * og * ohw, ohw, 1, 0f, col, 0, ohw);
            col2im(g, col, 0, ohw, y, yOff + grp * g.cg() * hw);
        }
        if (b != null) for (int c = 0; c < g.c(); c++) for (int i = 0; i < hw; i++) y[yOff + c * hw + i] += b[c];
    }

    /** Floats of {@link #transposeInto}'s scratch. */
    public static int transposeScratchSize(ConvGeometry g) { return g.cg() * g.kh() * g.kw() * g.oh() * g.ow(); }

    /** dw = gradient of the weights, summed over the batch; dw is overwritten. */
    public static void backwardWeight(ConvGeometry g, float[] x, float[] gy, float[] dw) {
        if (g.isDepthwise()) {
            Depthwise.backwardWeight(g, x, gy, dw);
            return;
        }
        int ohw = g.oh() * g.ow(), cgkk = g.cg() * g.kh() * g.kw(), og = g.og(), hw = g.h() * g.w();
        Arrays.fill(dw, 0f);
        Object lock = new Object();
        boolean pointwise = g.isPointwise();
        int s = pointwise ? 1 : chunk(g);
        Parallel.forRange(g.n(), g.macs() / Math.max(1, g.n()), 1L << 20, (from, to) -> {
            float[] col = pointwise ? null : new float[cgkk * s * ohw], rows = pointwise ? null : new float[og * s * ohw];
            float[] part = pointwise ? new float[dw.length] : null, partT = pointwise ? null : new float[dw.length];
            for (int n0 = from; n0 < to; n0 += s) {
                int cnt = Math.min(s, to - n0), ld = cnt * ohw;
                for (int grp = 0; grp < g.groups(); grp++) {
                    if (pointwise) {
                        // dW[og, cg] += gy[og, hw] x x^T[hw, cg]
                        Gemm.sgemm(og, cgkk, ohw, 1f, gy, (n0 * g.o() + grp * og) * ohw, ohw, 1, x, (n0 * g.c() + grp * g.cg()) * hw, 1, ohw,
                                1f, part, grp * og * cgkk, cgkk);
                        continue;
                    }
                    for (int k = 0; k < cnt; k++) im2col(g, x, ((n0 + k) * g.c() + grp * g.cg()) * hw, col, k * ohw, ld);
                    gatherRows(g, gy, n0, cnt, grp, rows);
                    // dW^T[cgkk, og] += col[cgkk, ld] x gy^T[ld, og]: computed transposed so the big operand
                    // (col) packs along its contiguous rows; only the og-wide gy^T needs a strided pack
                    Gemm.sgemm(cgkk, og, ld, 1f, col, 0, ld, 1, rows, 0, 1, ld, 1f, partT, grp * og * cgkk, og);
                }
            }
            synchronized (lock) {
                if (pointwise) {
                    for (int i = 0; i < dw.length; i++) dw[i] += part[i];
                    return;
                }
                for (int grp = 0; grp < g.groups(); grp++) {
                    int base = grp * og * cgkk;
                    for (int o = 0; o < og; o++) for (int q = 0; q < cgkk; q++) dw[base + o * cgkk + q] += partT[base + q * og + o];
                }
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
    /** As above, into columns [co, co + oh*ow) of a matrix with row length ld (several samples side by side). */
    static void im2col(ConvGeometry g, float[] x, int xo, float[] col, int co, int ld) {
        if (isPlaneShift(g)) {
            im2colShift(g, x, xo, col, co, ld);
            return;
        }
        int oh = g.oh(), ow = g.ow(), h = g.h(), w = g.w();
        int row = 0;
        for (int ci = 0; ci < g.cg(); ci++) {
            for (int u = 0; u < g.kh(); u++) {
                for (int v = 0; v < g.kw(); v++, row++) {
                    int base = row * ld + co, q0 = v * g.dw() - g.pw();
                    int jlo = firstInside(q0, g.sw()), jhi = endInside(q0, g.sw(), w, ow);
                    for (int i = 0; i < oh; i++) {
                        int r = i * g.sh() - g.ph() + u * g.dh(), d = base + i * ow;
                        if (r < 0 || r >= h || jlo >= jhi) {
                            Arrays.fill(col, d, d + ow, 0f);
                            continue;
                        }
                        int src = xo + (ci * h + r) * w + q0;
                        // borders are a pixel or two: plain loops, not Arrays.fill calls (measured as 8% of CNN time)
                        for (int j = 0; j < jlo; j++) col[d + j] = 0f;
                        if (g.sw() == 1) System.arraycopy(x, src + jlo, col, d + jlo, jhi - jlo);
                        else if (g.sw() == 2) VectorMath.evens(x, src + 2 * jlo, col, d + jlo, jhi - jlo);
                        else for (int j = jlo; j < jhi; j++) col[d + j] = x[src + j * g.sw()];
                        for (int j = jhi; j < ow; j++) col[d + j] = 0f;
                    }
                }
            }
        }
    }

    /**
     * Stride 1 with output width = input width ("same" convolutions): each im2col row is the input
     * plane shifted by whole rows and a few columns, so consecutive output rows map to consecutive
     * input rows and one copy moves the whole plane. A copy per output row (14 floats at 14x14) cost
     * more in call overhead than in data: 44% of the conv time outside the GEMM, measured.
     */
    static boolean isPlaneShift(ConvGeometry g) { return g.sh() == 1 && g.sw() == 1 && g.ow() == g.w(); }

    /** The valid output rows [ilo, ihi) and columns [jlo, jhi) of tap (u, v), for the plane-shift paths. */
    private static int[] tapWindow(ConvGeometry g, int u, int v) {
        int r0 = u * g.dh() - g.ph(), q0 = v * g.dw() - g.pw();
        int ilo = Math.max(0, -r0), ihi = Math.min(g.oh(), g.h() - r0);
        int jlo = Math.max(0, -q0), jhi = Math.min(g.ow(), g.w() - q0);
        return new int[] {ilo, ihi, jlo, jhi, r0 * g.w() + q0};
    }

    private static void im2colShift(ConvGeometry g, float[] x, int xo, float[] col, int co, int ld) {
        int ow = g.ow(), oh = g.oh(), hw = g.h() * g.w();
        for (int u = 0; u < g.kh(); u++) {
            for (int v = 0; v < g.kw(); v++) {
                int[] t = tapWindow(g, u, v);
                int ilo = t[0], ihi = t[1], jlo = t[2], jhi = t[3], shift = t[4];
                for (int ci = 0; ci < g.cg(); ci++) {
                    int base = ((ci * g.kh() + u) * g.kw() + v) * ld + co;
                    if (ilo >= ihi || jlo >= jhi) {
                        Arrays.fill(col, base, base + oh * ow, 0f);
                        continue;
                    }
                    int p0 = ilo * ow + jlo, p1 = (ihi - 1) * ow + jhi;
                    Arrays.fill(col, base, base + p0, 0f);
                    System.arraycopy(x, xo + ci * hw + p0 + shift, col, base + p0, p1 - p0);
                    Arrays.fill(col, base + p1, base + oh * ow, 0f);
                    clearPaddingColumns(col, base, ow, ilo, ihi, jlo, jhi);  // the copy wrapped around row ends
                }
            }
        }
    }

    /** The adjoint of im2col: adds each entry of columns [co, co + oh*ow) back onto the input position it came from. */
    static void col2im(ConvGeometry g, float[] col, int co, int ld, float[] dx, int xo) {
        if (isPlaneShift(g)) {
            col2imShift(g, col, co, ld, dx, xo);
            return;
        }
        int oh = g.oh(), ow = g.ow(), h = g.h(), w = g.w();
        int row = 0;
        for (int ci = 0; ci < g.cg(); ci++) {
            for (int u = 0; u < g.kh(); u++) {
                for (int v = 0; v < g.kw(); v++, row++) {
                    int base = row * ld + co, q0 = v * g.dw() - g.pw();
                    int jlo = firstInside(q0, g.sw()), jhi = endInside(q0, g.sw(), w, ow);
                    for (int i = 0; i < oh; i++) {
                        int r = i * g.sh() - g.ph() + u * g.dh();
                        if (r < 0 || r >= h) continue;
                        int dst = xo + (ci * h + r) * w + q0, s = base + i * ow;
                        if (g.sw() == 1) VectorMath.axpy(1f, col, s, dx, dst, jlo, jhi);
                        else for (int j = jlo; j < jhi; j++) dx[dst + j * g.sw()] += col[s + j];
                    }
                }
            }
        }
    }

    /** Zeroes the columns outside [jlo, jhi) of rows [ilo, ihi) of a plane-shift im2col row: they fall in the padding. */
    private static void clearPaddingColumns(float[] col, int base, int ow, int ilo, int ihi, int jlo, int jhi) {
        for (int i = ilo; i < ihi; i++) {
            int d = base + i * ow;
            for (int j = 0; j < jlo; j++) col[d + j] = 0f;
            for (int j = jhi; j < ow; j++) col[d + j] = 0f;
        }
    }

    /**
     * The plane-shift adjoint: the entries that fall in the padding are zeroed in col (a scratch
     * matrix the caller owns), so one contiguous add over the plane is exact, wrap-around included.
     */
    private static void col2imShift(ConvGeometry g, float[] col, int co, int ld, float[] dx, int xo) {
        int ow = g.ow(), hw = g.h() * g.w();
        for (int u = 0; u < g.kh(); u++) {
            for (int v = 0; v < g.kw(); v++) {
                int[] t = tapWindow(g, u, v);
                int ilo = t[0], ihi = t[1], jlo = t[2], jhi = t[3], shift = t[4];
                if (ilo >= ihi || jlo >= jhi) continue;
                int p0 = ilo * ow + jlo, p1 = (ihi - 1) * ow + jhi;
                for (int ci = 0; ci < g.cg(); ci++) {
                    int base = ((ci * g.kh() + u) * g.kw() + v) * ld + co;
                    clearPaddingColumns(col, base, ow, ilo, ihi, jlo, jhi);
                    VectorMath.axpy(1f, col, base, dx, xo + ci * hw + shift, p0, p1);
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
