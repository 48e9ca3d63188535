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

    /** Per-thread plane for the stride-2 path's even/odd columns (reused: no allocation per call). */
    private static final Scratch SPLIT = new Scratch();

    /** As above with the input starting at x[xBase] and the output at y[yBase] (the inference arena). */
    static void forward(ConvGeometry g, float[] x, int xBase, float[] w, float[] b, float[] y, int yBase) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), wd = g.w(), kk = g.kh() * g.kw();
        if (g.sw() == 2 && g.dw() == 1) {
            forwardStride2(g, x, xBase, w, b, y, yBase);
            return;
        }
        if (g.kh() == 3 && g.kw() == 3 && g.sh() == 1 && g.sw() == 1 && g.dh() == 1 && g.dw() == 1 && g.ph() == 1 && g.pw() == 1 && wd >= 3 && !Kernels.SCALAR) {
            boolean narrow = wd < 2 * VectorMath.S.length();
            Parallel.forRange(g.n() * g.c(), (long) h * wd * 9, 1L << 18, (from, to) -> {
                float[] pad = narrow ? padded(h, wd) : null;
                for (int nc = from; nc < to; nc++) {
                    int ch = nc % g.c(), xo = xBase + nc * h * wd, yo = yBase + nc * h * wd;
                    if (narrow) {
                        plane3x3(x, xo, h, wd, w, ch * 9, b == null ? 0f : b[ch], y, yo, pad);
                        continue;
                    }
                    for (int i = 0; i < h; i++) row3x3(x, xo, i, h, wd, w, ch * 9, b == null ? 0f : b[ch], y, yo + i * wd);
                }
            });
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
     * One output row of the MobileNet case, 3x3 stride 1 padding 1: the nine taps unrolled per
     * vector (nine loads and FMAs, one store) instead of nine read-modify-write sweeps of the row.
     * A padding row reads a real row with zero weights, so the vector loop has no branches. Kept a
     * small method of its own so C2 compiles it whole (vectors it cannot keep in registers are boxed).
     */
    private static void row3x3(float[] x, int xo, int i, int h, int wd, float[] w, int wo, float bias, float[] y, int yr) {
        boolean up = i > 0, down = i < h - 1;
        int r1 = xo + i * wd, q0 = up ? r1 - wd : r1, q2 = down ? r1 + wd : r1;
        float a0 = up ? w[wo] : 0f, a1 = up ? w[wo + 1] : 0f, a2 = up ? w[wo + 2] : 0f;
        float b0 = w[wo + 3], b1 = w[wo + 4], b2 = w[wo + 5];
        float c0 = down ? w[wo + 6] : 0f, c1 = down ? w[wo + 7] : 0f, c2 = down ? w[wo + 8] : 0f;
        jdk.incubator.vector.VectorSpecies<Float> sp = VectorMath.S;
        int j = 1;
        for (int bound = 1 + sp.loopBound(wd - 2); j < bound; j += sp.length()) {
            jdk.incubator.vector.FloatVector acc = jdk.incubator.vector.FloatVector.broadcast(sp, bias);
            acc = VectorMath.va(x, q0 + j - 1).mul(a0).add(acc);
            acc = VectorMath.va(x, q0 + j).mul(a1).add(acc);
            acc = VectorMath.va(x, q0 + j + 1).mul(a2).add(acc);
            acc = VectorMath.va(x, r1 + j - 1).mul(b0).add(acc);
            acc = VectorMath.va(x, r1 + j).mul(b1).add(acc);
            acc = VectorMath.va(x, r1 + j + 1).mul(b2).add(acc);
            acc = VectorMath.va(x, q2 + j - 1).mul(c0).add(acc);
            acc = VectorMath.va(x, q2 + j).mul(c1).add(acc);
            acc = VectorMath.va(x, q2 + j + 1).mul(c2).add(acc);
            acc.intoArray(y, yr + j);
        }
        if (j < wd - 1) tail3x3(x, j, wd - 1, q0, r1, q2, a0, a1, a2, b0, b1, b2, c0, c1, c2, bias, y, yr);
        int r = wd - 1;  // the borders: no j-1 tap on the left, no j+1 on the right
        y[yr] = bias + a1 * x[q0] + a2 * x[q0 + 1] + b1 * x[r1] + b2 * x[r1 + 1] + c1 * x[q2] + c2 * x[q2 + 1];
        y[yr + r] = bias + a0 * x[q0 + r - 1] + a1 * x[q0 + r] + b0 * x[r1 + r - 1] + b1 * x[r1 + r] + c0 * x[q2 + r - 1] + c1 * x[q2 + r];
    }

    /** Zero-padded planes of the narrow-plane kernels ({@link #plane3x3}, {@link #plane3x3s2}). */
    private static final Scratch PADDED = new Scratch();

    /** A per-thread zeroed buffer for one padded plane of {@link #plane3x3} (its borders stay zero: only the interior is ever written). */
    private static float[] padded(int h, int w) {
        return PADDED.zeroed((h + 2) * (w + 2) + 2 + 2 * VectorMath.S.length() + h * (w + 2) + VectorMath.S.length());
    }

    /**
     * 3x3 stride 1 padding 1 on a plane narrower than two vectors (MobileNet's 14x14 and 7x7 maps),
     * where the row kernel had no full vector to run and fell to its scalar tail: the plane is copied
     * into a zero-padded (h+2) x (w+2) layout, the nine taps become nine fixed offsets, and one vector
     * loop runs over the flattened rows — border columns computed and dropped (2 of every w+2) — then
     * the interior is copied out. MobileNetV2's 14x14 depthwise layers ran at 2.6 GMAC/s before.
     */
    private static void plane3x3(float[] x, int xo, int h, int w, float[] wt, int wo, float bias, float[] y, int yo, float[] pad) {
        int pw = w + 2, base = 1, n = h * pw, lanes = VectorMath.S.length(), outAt = base + (h + 2) * pw + lanes;
        for (int i = 0; i < h; i++) System.arraycopy(x, xo + i * w, pad, base + (i + 1) * pw + 1, w);
        float a0 = wt[wo], a1 = wt[wo + 1], a2 = wt[wo + 2], b0 = wt[wo + 3], b1 = wt[wo + 4], b2 = wt[wo + 5], c0 = wt[wo + 6], c1 = wt[wo + 7], c2 = wt[wo + 8];
        // output q (0 <= q < n) sits at padded position base + pw + q; its taps at -pw-1 .. +pw+1 around it
        int top = base, mid = base + pw, bot = base + 2 * pw;
        for (int q = 0; q < n; q += lanes) {
            jdk.incubator.vector.FloatVector acc = jdk.incubator.vector.FloatVector.broadcast(VectorMath.S, bias);
            acc = VectorMath.va(pad, top + q - 1).mul(a0).add(acc);
            acc = VectorMath.va(pad, top + q).mul(a1).add(acc);
            acc = VectorMath.va(pad, top + q + 1).mul(a2).add(acc);
            acc = VectorMath.va(pad, mid + q - 1).mul(b0).add(acc);
            acc = VectorMath.va(pad, mid + q).mul(b1).add(acc);
            acc = VectorMath.va(pad, mid + q + 1).mul(b2).add(acc);
            acc = VectorMath.va(pad, bot + q - 1).mul(c0).add(acc);
            acc = VectorMath.va(pad, bot + q).mul(c1).add(acc);
            acc = VectorMath.va(pad, bot + q + 1).mul(c2).add(acc);
            acc.intoArray(pad, outAt + q);
        }
        for (int i = 0; i < h; i++) System.arraycopy(pad, outAt + i * pw + 1, y, yo + i * w, w);
    }

    /**
     * Horizontal stride 2: each input plane is split once into its even and odd columns, so every
     * filter tap reads one of them contiguously and runs as a vector axpy like stride 1 (the
     * strided scalar loop was the slowest part of MobileNet's batch-1 inference).
     */
    private static void forwardStride2(ConvGeometry g, float[] x, int xBase, float[] w, float[] b, float[] y, int yBase) {
        int oh = g.oh(), ow = g.ow(), h = g.h(), wd = g.w(), kk = g.kh() * g.kw(), half = (wd + 1) / 2;
        boolean mobile3x3 = g.kh() == 3 && g.kw() == 3 && g.sh() == 2 && g.ph() == 1 && g.pw() == 1 && g.dh() == 1 && ow >= 2 && !Kernels.SCALAR;
        if (mobile3x3 && ow < 2 * VectorMath.S.length()) {
            Parallel.forRange(g.n() * g.c(), (long) oh * ow * kk, 1L << 18, (from, to) -> {
                float[] pad = padded2(h, half);
                for (int nc = from; nc < to; nc++) {
                    int ch = nc % g.c();
                    plane3x3s2(x, xBase + nc * h * wd, h, wd, half, oh, ow, w, ch * 9, b == null ? 0f : b[ch], y, yBase + nc * oh * ow, pad);
                }
            });
            return;
        }
        Parallel.forRange(g.n() * g.c(), (long) oh * ow * kk, 1L << 18, (from, to) -> {
            float[] split = SPLIT.atLeast(2 * h * half);  // [parity][row][column / 2]
            for (int nc = from; nc < to; nc++) {
                int ch = nc % g.c(), yo = yBase + nc * oh * ow, xo = xBase + nc * h * wd;
                for (int r = 0; r < h; r++) {
                    int src = xo + r * wd, even = r * half, odd = h * half + r * half;
                    deinterleave(x, src, wd, split, even, odd);
                    if ((wd & 1) == 1) {
                        split[even + half - 1] = x[src + wd - 1];
                        split[odd + half - 1] = 0f;
                    }
                }
                float bias = b == null ? 0f : b[ch];
                if (mobile3x3) {
                    for (int i = 0; i < oh; i++) row3x3s2(split, i, h, half, w, ch * 9, bias, y, yo + i * ow, ow);
                    continue;
                }
                Arrays.fill(y, yo, yo + oh * ow, bias);
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

    /** Per-thread zeroed space for {@link #plane3x3s2}: two padded split planes of (h+2) x (half+1) and the output rows, with slack. */
    private static float[] padded2(int h, int half) {
        int p = half + 1, plane = (h + 2) * p + 2 * p + 2 * VectorMath.S.length() + 2;
        int need = 2 * plane + ((h + 1) / 2 + 1) * 2 * p + VectorMath.S.length();
        return PADDED.zeroed(need);
    }

    /**
     * 3x3 stride 2 padding 1 on a plane whose output rows are narrower than two vectors (MobileNet's
     * 28 -> 14 and 14 -> 7), where the row kernel ran scalar. The even and odd columns go into two
     * zero-padded planes of width p = half + 1 (the odd one shifted right by one: column 2j-1 is its
     * column j) with a zero row above; output (i, j) then reads rows 2i .. 2i+2 at columns j and j+1,
     * so laying the output out with row stride 2p makes every tap a fixed offset of one flat index:
     * one vector loop (half its lanes land in dropped columns), then the valid block is copied out.
     */
    private static void plane3x3s2(float[] x, int xo, int h, int wd, int half, int oh, int ow, float[] wt, int wo, float bias, float[] y, int yo, float[] pad) {
        int p = half + 1, lanes = VectorMath.S.length(), plane = (h + 2) * p + 2 * p + 2 * lanes + 2;
        int ev = 0, od = plane, out = 2 * plane, n = oh * 2 * p;
        for (int r = 0; r < h; r++) {
            int src = xo + r * wd, row = (r + 1) * p;
            for (int c = 0; c < half; c++) {
                pad[ev + row + c] = x[src + 2 * c];
                if (2 * c + 1 < wd) pad[od + row + c + 1] = x[src + 2 * c + 1];
            }
        }
        float a0 = wt[wo], a1 = wt[wo + 1], a2 = wt[wo + 2], b0 = wt[wo + 3], b1 = wt[wo + 4], b2 = wt[wo + 5], c0 = wt[wo + 6], c1 = wt[wo + 7], c2 = wt[wo + 8];
        for (int q = 0; q < n; q += lanes) {
            jdk.incubator.vector.FloatVector acc = jdk.incubator.vector.FloatVector.broadcast(VectorMath.S, bias);
            acc = VectorMath.va(pad, od + q).mul(a0).add(acc);
            acc = VectorMath.va(pad, ev + q).mul(a1).add(acc);
            acc = VectorMath.va(pad, od + q + 1).mul(a2).add(acc);
            acc = VectorMath.va(pad, od + q + p).mul(b0).add(acc);
            acc = VectorMath.va(pad, ev + q + p).mul(b1).add(acc);
            acc = VectorMath.va(pad, od + q + p + 1).mul(b2).add(acc);
            acc = VectorMath.va(pad, od + q + 2 * p).mul(c0).add(acc);
            acc = VectorMath.va(pad, ev + q + 2 * p).mul(c1).add(acc);
            acc = VectorMath.va(pad, od + q + 2 * p + 1).mul(c2).add(acc);
            acc.intoArray(pad, out + q);
        }
        for (int i = 0; i < oh; i++) System.arraycopy(pad, out + i * 2 * p, y, yo + i * ow, ow);
    }

    private static final jdk.incubator.vector.VectorShuffle<Float> EVEN = jdk.incubator.vector.VectorShuffle.fromOp(VectorMath.S, i -> 2 * i),
            ODD = jdk.incubator.vector.VectorShuffle.fromOp(VectorMath.S, i -> 2 * i + 1);

    /**
     * Even columns of one row to split[even..], odd ones to split[odd..] (the last column of an odd
     * width is left to the caller): two vectors in, one two-source shuffle per parity out; the
     * scalar strided copy was half the time of MobileNet's largest stride-2 layer.
     */
    private static void deinterleave(float[] x, int src, int wd, float[] split, int even, int odd) {
        int pairs = wd / 2, q = 0, lanes = VectorMath.S.length();
        if (!Kernels.SCALAR) {
            for (; q + lanes <= pairs; q += lanes) {
                jdk.incubator.vector.FloatVector v1 = VectorMath.va(x, src + 2 * q), v2 = VectorMath.va(x, src + 2 * q + lanes);
                v1.rearrange(EVEN, v2).intoArray(split, even + q);
                v1.rearrange(ODD, v2).intoArray(split, odd + q);
            }
        }
        for (; q < pairs; q++) {
            split[even + q] = x[src + 2 * q];
            split[odd + q] = x[src + 2 * q + 1];
        }
    }

    /**
     * One output row of 3x3 stride 2 padding 1 on the split planes: output column j reads input
     * columns 2j-1, 2j, 2j+1 = odd[j-1], even[j], odd[j] of rows 2i-1, 2i, 2i+1; nine loads and
     * multiply-adds per vector and one store (nine axpy sweeps re-read and re-wrote the row nine
     * times). A row outside the plane reads row 0 with zero weights; the odd plane of an odd-width
     * input ends in a zero column, so every j in [1, ow) is in range.
     */
    private static void row3x3s2(float[] sp, int i, int h, int half, float[] w, int wo, float bias, float[] y, int yr, int ow) {
        int rTop = 2 * i - 1, rMid = 2 * i, rBot = 2 * i + 1, oddBase = h * half;
        boolean up = rTop >= 0, down = rBot < h;
        int e0 = (up ? rTop : 0) * half, e1 = rMid * half, e2 = (down ? rBot : 0) * half;
        int o0 = oddBase + e0, o1 = oddBase + e1, o2 = oddBase + e2;
        float a0 = up ? w[wo] : 0f, a1 = up ? w[wo + 1] : 0f, a2 = up ? w[wo + 2] : 0f;
        float b0 = w[wo + 3], b1 = w[wo + 4], b2 = w[wo + 5];
        float c0 = down ? w[wo + 6] : 0f, c1 = down ? w[wo + 7] : 0f, c2 = down ? w[wo + 8] : 0f;
        jdk.incubator.vector.VectorSpecies<Float> vs = VectorMath.S;
        int j = 1;
        for (int bound = 1 + vs.loopBound(ow - 1); j < bound; j += vs.length()) {
            jdk.incubator.vector.FloatVector acc = jdk.incubator.vector.FloatVector.broadcast(vs, bias);
            acc = VectorMath.va(sp, o0 + j - 1).mul(a0).add(acc);
            acc = VectorMath.va(sp, e0 + j).mul(a1).add(acc);
            acc = VectorMath.va(sp, o0 + j).mul(a2).add(acc);
            acc = VectorMath.va(sp, o1 + j - 1).mul(b0).add(acc);
            acc = VectorMath.va(sp, e1 + j).mul(b1).add(acc);
            acc = VectorMath.va(sp, o1 + j).mul(b2).add(acc);
            acc = VectorMath.va(sp, o2 + j - 1).mul(c0).add(acc);
            acc = VectorMath.va(sp, e2 + j).mul(c1).add(acc);
            acc = VectorMath.va(sp, o2 + j).mul(c2).add(acc);
            acc.intoArray(y, yr + j);
        }
        if (j < ow) tail3x3s2(sp, j, ow, o0, e0, o1, e1, o2, e2, a0, a1, a2, b0, b1, b2, c0, c1, c2, bias, y, yr);
        y[yr] = bias + a1 * sp[e0] + a2 * sp[o0] + b1 * sp[e1] + b2 * sp[o1] + c1 * sp[e2] + c2 * sp[o2];  // column -1 is padding
    }

    /** The ragged end of a stride-1 row as one masked vector (a scalar tail of up to 15 outputs cost more than the vectors before it); its own method for C2, as {@link #tail3x3s2}. */
    private static void tail3x3(float[] x, int j, int end, int q0, int r1, int q2,
                                float a0, float a1, float a2, float b0, float b1, float b2, float c0, float c1, float c2, float bias, float[] y, int yr) {
        jdk.incubator.vector.VectorSpecies<Float> sp = VectorMath.S;
        var m = sp.indexInRange(j, end);
        jdk.incubator.vector.FloatVector acc = jdk.incubator.vector.FloatVector.broadcast(sp, bias);
        acc = jdk.incubator.vector.FloatVector.fromArray(sp, x, q0 + j - 1, m).mul(a0).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(sp, x, q0 + j, m).mul(a1).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(sp, x, q0 + j + 1, m).mul(a2).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(sp, x, r1 + j - 1, m).mul(b0).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(sp, x, r1 + j, m).mul(b1).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(sp, x, r1 + j + 1, m).mul(b2).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(sp, x, q2 + j - 1, m).mul(c0).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(sp, x, q2 + j, m).mul(c1).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(sp, x, q2 + j + 1, m).mul(c2).add(acc);
        acc.intoArray(y, yr + j, m);
    }

    /**
     * The ragged end of a stride-2 row as one masked vector. A method of its own: inside
     * {@link #row3x3s2} it made the method too large for C2, whose vectors were then boxed (77 MB
     * allocated per MobileNetV2 call, measured).
     */
    private static void tail3x3s2(float[] sp, int j, int ow, int o0, int e0, int o1, int e1, int o2, int e2,
                                  float a0, float a1, float a2, float b0, float b1, float b2, float c0, float c1, float c2, float bias, float[] y, int yr) {
        jdk.incubator.vector.VectorSpecies<Float> vs = VectorMath.S;
        var m = vs.indexInRange(j, ow);
        jdk.incubator.vector.FloatVector acc = jdk.incubator.vector.FloatVector.broadcast(vs, bias);
        acc = jdk.incubator.vector.FloatVector.fromArray(vs, sp, o0 + j - 1, m).mul(a0).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(vs, sp, e0 + j, m).mul(a1).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(vs, sp, o0 + j, m).mul(a2).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(vs, sp, o1 + j - 1, m).mul(b0).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(vs, sp, e1 + j, m).mul(b1).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(vs, sp, o1 + j, m).mul(b2).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(vs, sp, o2 + j - 1, m).mul(c0).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(vs, sp, e2 + j, m).mul(c1).add(acc);
        acc = jdk.incubator.vector.FloatVector.fromArray(vs, sp, o2 + j, m).mul(c2).add(acc);
        acc.intoArray(y, yr + j, m);
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
