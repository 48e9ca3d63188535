package dev.lathe.kernels;

/**
 * MobileNetV2's inverted residual block — 1x1 expansion, 3x3 depthwise, 1x1 projection, and the
 * residual add when the block keeps its shape — as one channels-last kernel that goes band of
 * output rows by band. The expanded rows a band needs are computed into a small window of rows
 * (L2-resident), its depthwise rows into one more buffer, and the projection writes the band's
 * output rows directly: the expanded tensor (4.8 MB at 112x112x96) never exists, so it is never written to
 * memory and read back. Small maps go in bands of several rows ({@link #BAND_PIXELS}). On this machine that traffic, not the multiply-adds, was most of the
 * unfused block's time (see docs/ARCHITECTURE.md). Without expansion (factor 1) the ring holds
 * copies of input rows. Output rows are split over the pool, each part with its own ring.
 */
public final class InvertedResidual {
    private final ChannelsLast.PackedConv expand, project;
    private final float[] dwWeights, dwBias;
    private final float expandLo, expandHi, dwLo, dwHi, projectLo, projectHi;
    private final boolean residual;
    /** Whether the depthwise rows are kept channel-blocked for the projection (whole vectors of channels, not the scalar kernels). */
    private final boolean blocked;
    /** Whether a block without expansion runs its depthwise rows over the input in place ({@link #directRows}). */
    private final boolean direct;
    /** Whether threads split the block by channels ({@link #splitByChannels}) instead of by output rows. */
    private final boolean byChannels;
    private final int h, w, cin, cexp, cout, oh, ow, stride;
    /** Output rows per band and the number of bands: one grid for the whole map, whatever the thread count ({@link #run}). */
    private final int bandRows, bands;
    private final long macsPerRow;

    private static final Scratch RING = new Scratch(), INPUT = new Scratch();

    /** Whether the depthwise convolution is one this kernel runs: 3x3, padding 1, undilated, stride 1 or 2. */
    public static boolean fits(ConvGeometry dw) {
        return dw.isDepthwise() && dw.kh() == 3 && dw.kw() == 3 && dw.ph() == 1 && dw.pw() == 1 && dw.dh() == 1 && dw.dw() == 1
                && dw.sh() == dw.sw() && (dw.sh() == 1 || dw.sh() == 2) && dw.n() == 1;
    }

    /**
     * expand (null for expansion factor 1) and project are packed 1x1 stride-1 convolutions; dw the
     * depthwise geometry (its weights [c, 1, 3, 3], its bias or null); activations as {@link Epilogue}'s.
     */
    public InvertedResidual(ChannelsLast.PackedConv expand, int expandActivation, ConvGeometry dw, float[] dwWeights, float[] dwBias, int dwActivation,
                            ChannelsLast.PackedConv project, int projectActivation, boolean residual) {
        if (!fits(dw)) throw new IllegalArgumentException("inverted residual: depthwise " + dw + " is not 3x3, padding 1, stride 1 or 2");
        if (expand != null && (!expand.g().isPointwise() || expand.g().o() != dw.c() || expand.g().h() != dw.h() || expand.g().w() != dw.w())) {
            throw new IllegalArgumentException("inverted residual: expansion " + expand.g() + " does not feed depthwise " + dw);
        }
        if (!project.g().isPointwise() || project.g().c() != dw.o() || project.g().h() != dw.oh() || project.g().w() != dw.ow()) {
            throw new IllegalArgumentException("inverted residual: projection " + project.g() + " does not read depthwise " + dw);
        }
        this.expand = expand;
        this.project = project;
        this.dwWeights = ChannelsLastDepthwise.packDepthwise(dw, dwWeights);
        this.dwBias = dwBias;
        this.h = dw.h();
        this.w = dw.w();
        this.cexp = dw.c();
        this.cin = expand == null ? cexp : expand.g().c();
        this.cout = project.g().o();
        this.oh = dw.oh();
        this.ow = dw.ow();
        this.stride = dw.sh();
        if (residual && (stride != 1 || cin != cout)) throw new IllegalArgumentException("inverted residual: a residual add needs stride 1 and equal channels, got stride " + stride + ", " + cin + " -> " + cout);
        this.residual = residual;
        this.blocked = !Kernels.SCALAR && cexp % ChannelsLast.L == 0;
        this.direct = blocked && expand == null;
        this.byChannels = blocked && expand != null && cin % ChannelsLast.L == 0 && stride == 1 && oh * ow <= CHANNEL_SPLIT_PIXELS;
        this.expandLo = ChannelsLast.low(expandActivation);
        this.expandHi = ChannelsLast.high(expandActivation);
        this.dwLo = ChannelsLast.low(dwActivation);
        this.dwHi = ChannelsLast.high(dwActivation);
        this.projectLo = ChannelsLast.low(projectActivation);
        this.projectHi = ChannelsLast.high(projectActivation);
        this.macsPerRow = (long) stride * w * cin * (expand == null ? 0 : cexp) + (long) ow * cexp * (9 + cout);
        this.bandRows = bandRows(oh, ow, stride);
        this.bands = (oh + bandRows - 1) / bandRows;
    }

    /**
     * Rows per band for an oh x ow output: bands of at least {@link #BAND_PIXELS} pixels, evened out (7 rows as
     * 4 + 3, not 5 + 2), at least {@link #MIN_BANDS} of them so a small map still splits over two threads, and at
     * stride 1 at least two rows, so a band's window never reaches back past the previous band's new rows (see {@link #prime}).
     */
    static int bandRows(int oh, int ow, int stride) {
        int perBand = (BAND_PIXELS + ow - 1) / ow;
        int count = Math.max((oh + perBand - 1) / perBand, Math.min(oh, MIN_BANDS));
        int r = (oh + count - 1) / count;
        return stride == 1 ? Math.min(oh, Math.max(2, r)) : r;
    }

    /**
     * At least this many bands where the map has the rows. The band grid decides which pixels share a GEMM call,
     * and so which tile (and summation order) each pixel gets; it is fixed per block so that 1, 2 or N threads,
     * which take whole bands, give the same bits. Two keeps the 14 -> 7 stride-2 block splitting over two
     * threads as its rows did before (4 + 3); on one thread it costs that block one more, smaller GEMM.
     */
    static final int MIN_BANDS = 2;

    /**
     * Input [h, w, cin] at x[xOff] to output [oh, ow, cout] at y[yOff]; the two must not overlap. The same bits on
     * any number of threads: threads take whole bands of the block's one band grid (or whole pairs of weight
     * panels, for the maps split by channels), and every band or panel runs the same calls it runs on one thread.
     */
    public void run(float[] x, int xOff, float[] y, int yOff) {
        if (byChannels) {
            splitByChannels(x, xOff, y, yOff);
            return;
        }
        long perBand = macsPerRow * bandRows;
        if (!Parallel.worthSplitting(bands, perBand, ChannelsLast.PARALLEL_MIN)) {
            band(x, xOff, y, yOff, 0, bands);
            return;
        }
        Parallel.forRange(bands, perBand, ChannelsLast.PARALLEL_MIN, (from, to) -> band(x, xOff, y, yOff, from, to));
    }

    /**
     * Stride-1 maps of at most this many pixels split over threads by channels, not rows: a 7x7 map's
     * 4 + 3 rows made each part expand 5 input rows of 7 (two-thirds of the expansion done twice), and
     * every part streamed all of the block's weights (1.2 MB at 160 -> 960 -> 160) from L3. Measured on
     * two threads alternating in one JVM: MobileNetV2's 7x7 blocks 0.87-0.96x; its 14x14 ones 1.15-1.28x
     * (one halo row per seven, and a window of all rows) and the 14 -> 7 stride-2 block 1.10x, so they split by rows.
     */
    static final int CHANNEL_SPLIT_PIXELS = 49;

    /**
     * The block by channels (on one thread too, so the bits match): the input channel-blocked once, then each part expands all the
     * input rows into its own expanded channels and runs their depthwise rows (depthwise is per
     * channel, so no part waits for another), then each part projects all pixels into its own output
     * channels; the residual added last. Parts are panel ranges (NR channels), each weight read by one part.
     */
    private void splitByChannels(float[] x, int xOff, float[] y, int yOff) {
        int L = ChannelsLast.L, MR = ChannelsLast.MR, NR = ChannelsLast.NR, blocks = cexp / L;
        int rowLen = w * L, windowBlock = h * rowLen, rows = rowLen, dwOut = rows + blocks * windowBlock;
        int inBlock = (h * w + MR - 1) / MR * MR * L, dwBlock = (oh * ow + MR - 1) / MR * MR * L, in = dwOut + blocks * dwBlock;
        float[] buf = RING.atLeast(in + cin / L * inBlock);  // the zero row, all expanded rows, the depthwise rows, the blocked input
        java.util.Arrays.fill(buf, 0, rowLen, 0f);
        BlockedPointwise.toBlocked(x, xOff, h * w, cin, buf, in, inBlock);
        // units of whole panel pairs where pairs run (PanelPairs), so a part's range never splits a pair: each panel
        // then takes the tiles it takes on one thread. Every thread takes a part of each phase (work 1 a unit, minimum 1)
        int unit = ChannelsLast.channelUnit(), expandUnits = (cexp + unit - 1) / unit, projectUnits = (cout + unit - 1) / unit;
        Parallel.forRange(expandUnits, 1, 1, (u0, u1) -> {
            int c0 = u0 * unit, c1 = Math.min(cexp, u1 * unit);
            BlockedPointwise.pointwiseBlocked(expand, buf, in, inBlock, h * w, buf, rows, L, windowBlock, expandLo, expandHi, c0, c1);
            for (int oy = 0; oy < oh; oy++) depthwiseRowBlocked(buf, oy, 0, rows, rowLen, windowBlock, dwOut + oy * ow * L, dwBlock, c0 / L, c1 / L);
        });
        Parallel.forRange(projectUnits, 1, 1, (u0, u1) ->
                BlockedPointwise.pointwiseBlocked(project, buf, dwOut, dwBlock, oh * ow, y, yOff, cout, L, projectLo, projectHi, u0 * unit, Math.min(cout, u1 * unit)));
        if (residual) VectorMath.binary(VectorMath.ADD, y, yOff, 1, x, xOff, 1, y, yOff, oh * ow * cout);
    }

    /**
     * Output pixels per band: rows are done in bands of at least this many pixels, so the GEMMs of
     * a small map are not one 7- or 14-pixel row each (measured: row by row, fusing made the 28x28
     * and smaller blocks 0-15% slower than unfused). 128 against 64, whole MobileNetV2 alternating in
     * one JVM (scripts/compare-builds.sh): 0.92-0.98x on one thread over five runs (64 against 128 later: 1.00-1.06x), 0.96x on two;
     * 96 and 160 came out even with 64, 256 1.03x.
     */
    static final int BAND_PIXELS = 128;

    /**
     * Bands [from, to) of the band grid ({@link #bandRows} rows each): the expanded input rows a band needs are kept in
     * one contiguous window of the buffer — rows shared with the previous band moved to its front, the new ones
     * expanded by one GEMM over all their pixels — then the band's depthwise rows, then one projection GEMM over the
     * band. A part that starts after band 0 first expands its halo as the band before it does ({@link #prime}).
     * With channels a multiple of L (not the scalar kernels) both the window and the depthwise rows are
     * channel-blocked: each block of L channels holds its own rows, L floats a pixel, so the depthwise taps and the
     * projection's pixels are fixed offsets apart (see BlockedPointwise.pointwiseBlocked, depthwise3x3RowBlocked).
     */
    private void band(float[] x, int xOff, float[] y, int yOff, int fromBand, int toBand) {
        int r = bandRows, from = fromBand * r, to = Math.min(oh, toBand * r);
        int capacity = (r - 1) * stride + 3, blocks = blocked ? cexp / ChannelsLast.L : 1;
        int pixelStep = blocked ? ChannelsLast.L : cexp, rowLen = w * pixelStep, windowBlock = capacity * rowLen;
        int rows = rowLen, dwOut = rows + blocks * windowBlock;  // a zero row at 0 (the padding), the window of expanded rows, the band's depthwise rows
        int dwBlock = (r * ow + ChannelsLast.MR - 1) / ChannelsLast.MR * ChannelsLast.MR * ChannelsLast.L;  // whole pixel blocks, for the projection's tiles
        float[] buf = RING.atLeast(dwOut + (blocked ? blocks * dwBlock : r * ow * cexp));
        java.util.Arrays.fill(buf, 0, rowLen, 0f);
        int first = 0, count = 0;  // the input rows [first, first + count) held in the window
        if (from > 0 && !direct) {
            first = haloFrom(from);
            count = rowsEnd(from) - first;
            prime(x, xOff, buf, rows, windowBlock, first, count);
        }
        for (int oy0 = from; oy0 < to; oy0 += r) {
            int n = Math.min(r, to - oy0);
            if (direct) {
                directRows(x, xOff, buf, oy0, n, rows, rowLen, windowBlock, dwOut, dwBlock);
                int yo = yOff + oy0 * ow * cout;
                BlockedPointwise.pointwiseBlocked(project, buf, dwOut, dwBlock, n * ow, y, yo, projectLo, projectHi);
                if (residual) VectorMath.binary(VectorMath.ADD, y, yo, 1, x, xOff + oy0 * w * cin, 1, y, yo, n * ow * cout);
                continue;
            }
            int lo = Math.max(0, haloFrom(oy0)), hi = rowsEnd(oy0 + n) - 1;
            int keep = Math.max(0, Math.min(first + count, hi + 1) - lo);
            if (keep > 0 && lo > first) {
                for (int cb = 0; cb < blocks; cb++) System.arraycopy(buf, rows + cb * windowBlock + (lo - first) * rowLen, buf, rows + cb * windowBlock, keep * rowLen);
            }
            // the new rows in two GEMMs: those the next band of the grid keeps (its halo) apart, so that a part
            // starting at that band can expand exactly them with the same call ({@link #prime})
            int fresh = lo + keep, tail = oy0 + n < oh ? Math.max(fresh, Math.min(hi + 1, haloFrom(oy0 + n))) : hi + 1;
            expandRows(x, xOff, fresh, tail - fresh, buf, rows + keep * rowLen, windowBlock);
            expandRows(x, xOff, tail, hi + 1 - tail, buf, rows + (tail - lo) * rowLen, windowBlock);
            first = lo;
            count = hi + 1 - lo;
            for (int oy = oy0; oy < oy0 + n; oy++) {
                int pixel = (oy - oy0) * ow;
                if (blocked) depthwiseRowBlocked(buf, oy, first, rows, rowLen, windowBlock, dwOut + pixel * ChannelsLast.L, dwBlock);
                else depthwiseRow(buf, oy, first, rows, rowLen, dwOut + pixel * cexp);
            }
            int yo = yOff + oy0 * ow * cout;
            if (blocked) BlockedPointwise.pointwiseBlocked(project, buf, dwOut, dwBlock, n * ow, y, yo, projectLo, projectHi);
            else PixelGemm.pointwise(project, buf, dwOut, n * ow, y, yo, projectLo, projectHi);
            if (residual) VectorMath.binary(VectorMath.ADD, y, yo, 1, x, xOff + oy0 * w * cin, 1, y, yo, n * ow * cout);
        }
    }

    /**
     * Without expansion, the depthwise rows of output rows [oy0, oy0 + n) read the block's input in
     * place (channels-last) and are written channel-blocked for the projection; only rows whose
     * window reaches the padding copy their input rows into the window next to the zero row. Copying
     * every input row into channel blocks first (a 112x112x32 map's 1.6 MB) took 18% of MobileNetV2's
     * first block (JFR), which ran 1.4x ONNX Runtime's two nodes; in place, that block alone 0.90x (alternating in one JVM, three runs).
     */
    private void directRows(float[] x, int xOff, float[] buf, int oy0, int n, int rows, int rowLen, int windowBlock, int dwOut, int dwBlock) {
        int L = ChannelsLast.L, rowIn = w * cin;
        for (int oy = oy0; oy < oy0 + n; oy++) {
            int iy0 = oy * stride - 1, out = dwOut + (oy - oy0) * ow * L;
            if (iy0 >= 0 && iy0 + 2 < h) {
                int r0 = xOff + iy0 * rowIn;
                depthwiseRow(x, r0, r0 + rowIn, r0 + 2 * rowIn, buf, out, L, dwBlock);
                continue;
            }
            int lo = Math.max(0, iy0), hi = Math.min(h - 1, iy0 + 2);
            BlockedPointwise.toBlocked(x, xOff + lo * rowIn, (hi + 1 - lo) * w, cin, buf, rows, windowBlock);
            depthwiseRowBlocked(buf, oy, lo, rows, rowLen, windowBlock, out, dwBlock);
        }
    }

    /**
     * The first input row that output rows from oy on read (-1: the padding row above the input); for a band
     * starting at oy, the start of its halo — the rows it shares with the band before.
     */
    private int haloFrom(int oy) { return oy * stride - 1; }

    /** The end (exclusive) of the input rows that output rows before oy read, within the input. */
    private int rowsEnd(int oy) { return Math.min(h - 1, (oy - 1) * stride + 1) + 1; }

    /**
     * Expands a part's first halo — input rows [first, first + count), the rows its first band shares with the band
     * before — into the window with the same GEMM call that band makes for them on one thread (it expands them
     * apart from its other new rows), so the same pixels go through the same tiles and give the same bits. A part
     * pays one or two rows again; re-expanding the whole previous band's rows cost the 14x14 blocks 1.3x on two threads.
     */
    private void prime(float[] x, int xOff, float[] buf, int rows, int windowBlock, int first, int count) {
        expandRows(x, xOff, first, count, buf, rows, windowBlock);
    }

    /** Where input row iy starts in the window (the zero row, at 0, outside the input). */
    private int rowAt(int iy, int first, int rows, int rowLen) { return iy < 0 || iy >= h ? 0 : rows + (iy - first) * rowLen; }

    /** Output row oy of the depthwise conv, channels-last, into buf[out]. */
    private void depthwiseRow(float[] buf, int oy, int first, int rows, int rowLen, int out) {
        int iy0 = oy * stride - 1;
        depthwiseRow(buf, rowAt(iy0, first, rows, rowLen), rowAt(iy0 + 1, first, rows, rowLen), rowAt(iy0 + 2, first, rows, rowLen), buf, out, cexp, ChannelsLast.L);
    }

    /**
     * One output row of the depthwise conv over channels-last input rows at src[r0], src[r1], src[r2]:
     * channel ch of pixel ox to dst[out + ox * pixelStep + (ch / L) * blockStep + ch % L] (channels-last:
     * pixelStep cexp, blockStep L; channel-blocked: pixelStep L).
     */
    private void depthwiseRow(float[] src, int r0, int r1, int r2, float[] dst, int out, int pixelStep, int blockStep) {
        int L = ChannelsLast.L, vecEnd = Kernels.SCALAR ? 0 : ChannelsLast.S.loopBound(cexp);
        int oxLo = Math.min(ow, 1), oxHi = Math.max(oxLo, Math.min(ow, (w - 2) / stride + 1));  // windows with all three columns inside
        for (int ox = 0; ox < oxLo; ox++) pixel(src, r0, r1, r2, ox, dst, out + ox * pixelStep, blockStep, 0);
        int col = (oxLo * stride - 1) * cexp;
        for (int ch = 0; ch < vecEnd; ch += L) {
            ChannelsLastDepthwise.depthwise3x3Run(src, r0 + col + ch, r1 + col + ch, r2 + col + ch, stride * cexp, cexp, dwWeights, ch, dwBias, dwLo, dwHi,
                    dst, out + oxLo * pixelStep + ch / L * blockStep, pixelStep, oxHi - oxLo);
        }
        if (vecEnd < cexp) for (int ox = oxLo; ox < oxHi; ox++) pixel(src, r0, r1, r2, ox, dst, out + ox * pixelStep, blockStep, vecEnd);
        for (int ox = oxHi; ox < ow; ox++) pixel(src, r0, r1, r2, ox, dst, out + ox * pixelStep, blockStep, 0);
    }

    private void pixel(float[] src, int r0, int r1, int r2, int ox, float[] dst, int at, int blockStep, int ch0) {
        ChannelsLastDepthwise.pixel3x3(src, r0, r1, r2, ox * stride - 1, w, cexp, dwWeights, dwBias, dwLo, dwHi, dst, at, blockStep, ch0);
    }

    /** Output row oy of the depthwise conv over the channel-blocked window, block by block, into buf[out] (blocks dwBlock apart). */
    private void depthwiseRowBlocked(float[] buf, int oy, int first, int rows, int rowLen, int windowBlock, int out, int dwBlock) {
        depthwiseRowBlocked(buf, oy, first, rows, rowLen, windowBlock, out, dwBlock, 0, cexp / ChannelsLast.L);
    }

    /** The same for channel blocks [cbFrom, cbTo) only. */
    private void depthwiseRowBlocked(float[] buf, int oy, int first, int rows, int rowLen, int windowBlock, int out, int dwBlock, int cbFrom, int cbTo) {
        int iy0 = oy * stride - 1, L = ChannelsLast.L;
        int t0 = rowAt(iy0, first, rows, rowLen), t1 = rowAt(iy0 + 1, first, rows, rowLen), t2 = rowAt(iy0 + 2, first, rows, rowLen);
        for (int cb = cbFrom, ch = cbFrom * L; cb < cbTo; cb++, ch += L) {
            // a row outside the input is the zero row for every block
            int r0 = t0 == 0 ? 0 : t0 + cb * windowBlock, r1 = t1 == 0 ? 0 : t1 + cb * windowBlock, r2 = t2 == 0 ? 0 : t2 + cb * windowBlock, yo = out + cb * dwBlock;
            if (w >= 2) {
                ChannelsLastDepthwise.depthwise3x3RowBlocked(buf, r0, r1, r2, stride, w, ow, dwWeights, cexp, ch, dwBias, dwLo, dwHi, buf, yo);
                continue;
            }
            for (int ox = 0; ox < ow; ox++) ChannelsLastDepthwise.pixel3x3Blocked(buf, r0, r1, r2, ox * stride - 1, w, dwWeights, cexp, ch, dwBias, dwLo, dwHi, buf, yo + ox * L);
        }
    }

    /**
     * n input rows from iy, expanded by one GEMM over their pixels (or copied, without expansion)
     * into the window at buf[at]: channels-last, or channel-blocked with blocks windowBlock apart.
     */
    private void expandRows(float[] x, int xOff, int iy, int n, float[] buf, int at, int windowBlock) {
        if (n <= 0) return;
        int src = xOff + iy * w * cin;
        if (blocked && expand != null && cin % ChannelsLast.L == 0) {
            // the input rows channel-blocked first, so the expansion's tiles read them at fixed offsets
            // too: a pass of vector copies, 1/cexp of the expansion's work
            int m = n * w, bs = (m + ChannelsLast.MR - 1) / ChannelsLast.MR * ChannelsLast.MR * ChannelsLast.L;
            float[] in = INPUT.atLeast(cin / ChannelsLast.L * bs);
            BlockedPointwise.toBlocked(x, src, m, cin, in, 0, bs);
            BlockedPointwise.pointwiseBlocked(expand, in, 0, bs, m, buf, at, ChannelsLast.L, windowBlock, expandLo, expandHi);
            return;
        }
        if (expand == null && !blocked) System.arraycopy(x, src, buf, at, n * w * cin);
        else if (expand == null) BlockedPointwise.toBlocked(x, src, n * w, cin, buf, at, windowBlock);
        else if (blocked) PixelGemm.pointwise(expand, x, src, n * w, buf, at, ChannelsLast.L, windowBlock, expandLo, expandHi);
        else PixelGemm.pointwise(expand, x, src, n * w, buf, at, expandLo, expandHi);
    }
}
