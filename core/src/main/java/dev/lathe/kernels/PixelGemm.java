package dev.lathe.kernels;

import static dev.lathe.kernels.BlockedPointwise.pointwiseBlocked;
import static dev.lathe.kernels.BlockedPointwise.toBlocked;
import static dev.lathe.kernels.ChannelsLast.L;
import static dev.lathe.kernels.ChannelsLast.MR;
import static dev.lathe.kernels.ChannelsLast.NR;
import static dev.lathe.kernels.ChannelsLast.S;
import static dev.lathe.kernels.PixelTiles.halfTile;
import static dev.lathe.kernels.PixelTiles.packedHalfTile;
import static dev.lathe.kernels.PixelTiles.packedStreamsTile;
import static dev.lathe.kernels.PixelTiles.packedTile;
import static dev.lathe.kernels.PixelTiles.tile;
import static dev.lathe.kernels.PixelTiles.tileScalar;

import dev.lathe.kernels.ChannelsLast.PackedConv;
import dev.lathe.kernels.ChannelsLast.Path;
import jdk.incubator.vector.FloatVector;

/**
 * The channels-last conv as a GEMM over output pixels (see {@link ChannelsLast}): a block of MR pixel
 * rows of A times one NR-wide weight panel at a time ({@link #panel}), the full tile stored in place,
 * a short panel as half tiles, a short block row by row or through a spill tile. A's rows are read in
 * place (matrix rows, or a window's kh runs for {@link WindowConv}) or packed k-major. The 1x1 conv over
 * channels-last rows ({@link #pointwise}) is here, panel-first or block-first as
 * {@link ChannelsLast#pointwisePath} decides; the register tiles are {@link PixelTiles}.
 */
final class PixelGemm {
    private PixelGemm() {}

    /** Per-thread scratch, shared with {@link WindowConv} and {@link BlockedPointwise}: a gathered or edge block, a spill tile, packed A. */
    static final Scratch PATCH = new Scratch(), SPILL = new Scratch();
    private static final Scratch PACKED = new Scratch();

    /**
     * m rows of A (row i at a[aOff + i*k]) times the packed weights into y[yOff + i*out]: a 1x1
     * convolution over m consecutive pixels. When A is the smaller operand (a 7x7 or 14x14 map: few
     * pixels, wide weights) the loop runs panel by panel, each weight panel read from L2 once for all
     * pixel blocks, instead of streaming all the weights once per block: 320 -> 1280 channels on 7x7
     * read 11 MB from L2 block-first against 4 MB panel-first; A is then packed once for every
     * panel when deep enough. Block-first, A is read in place (a last short block copied out, so the
     * tile never reads past A), or packed per block when deep and wide enough to repay it.
     */
    static void pointwise(PackedConv pc, float[] a, int aOff, int m, float[] y, int yOff, float lo, float hi) {
        pointwise(pc, a, aOff, m, y, yOff, pc.g().o(), L, lo, hi);
    }

    /**
     * The same into any output layout: pixel i's channel q at y[yOff + i * rowStep + q / L * blockStep
     * + q % L] — channels-last is rowStep = out, blockStep = L; channel-blocked (a fused block's
     * expanded rows) rowStep = L, blockStep the block's length.
     */
    static void pointwise(PackedConv pc, float[] a, int aOff, int m, float[] y, int yOff, int rowStep, int blockStep, float lo, float hi) {
        Path path = ChannelsLast.pointwisePath(m, pc.k(), pc.g().o());
        if (path.panelFirst()) pointwisePanels(pc, path, a, aOff, m, y, yOff, rowStep, blockStep, lo, hi, 0, pc.g().o());
        else pointwiseBlocks(pc, path, a, aOff, m, y, yOff, rowStep, blockStep, lo, hi);
    }

    /** {@link #pointwise} panel by panel, for output channels [from, to) only (from a multiple of {@link ChannelsLast#channelUnit}); path one of the panel-first ones. */
    static void pointwisePanels(PackedConv pc, Path path, float[] a, int aOff, int m, float[] y, int yOff, int rowStep, int blockStep, float lo, float hi, int from, int to) {
        int k = pc.k(), full = m / MR * MR, blocks = (m + MR - 1) / MR;
        if (path == Path.POINTWISE_PANELS_CHUNKED) {
            // deep enough for K chunks: A channel-blocked once (a pass of vector copies) and the blocked kernel;
            // MobileNetV2's 320 -> 1280 conv on 7x7 0.83-0.96x against packed A whole-K (four runs alternating
            // in one JVM, one and two threads; K chunks over packed A had been 1.05-1.28x slower)
            int bs = blocks * MR * L;
            float[] ab = PACKED.atLeast(k / L * bs);
            toBlocked(a, aOff, m, k, ab, 0, bs);
            pointwiseBlocked(pc, ab, 0, bs, m, y, yOff, rowStep, blockStep, lo, hi, from, to);
            return;
        }
        boolean deep = path == Path.POINTWISE_PANELS_PACKED;
        float[] src = a;
        int base = aOff;
        if (deep) {
            src = PACKED.atLeast(blocks * MR * k);
            base = 0;
            for (int i = 0; i < m; i += MR) packRows(a, aOff + i * k, k, Math.min(MR, m - i), src, i * k);
        } else if (full < m) {
            src = null;  // the short block goes through the edge copy below
        }
        for (int j = from; j < to; j += NR) {
            for (int i = 0; i < m; i += MR) {
                int mr = Math.min(MR, m - i);
                if (src == null && mr < MR) panel(pc, false, edgeRows(a, aOff + i * k, k, mr), 0, matrixRows(0, k), 1, k, 0, mr, y, yOff + i * rowStep, rowStep, blockStep, lo, hi, j);
                else { int at = (src == null ? aOff : base) + i * k; panel(pc, deep, src == null ? a : src, at, matrixRows(at, k), 1, k, 0, mr, y, yOff + i * rowStep, rowStep, blockStep, lo, hi, j, deep && i == 0); }
            }
        }
    }

    /** {@link #pointwise} block of pixels by block, every panel per block (as many pixels as outputs or more); the same tiles whatever the split into parts at MR boundaries; path one of the block-first ones. */
    static void pointwiseBlocks(PackedConv pc, Path path, float[] a, int aOff, int m, float[] y, int yOff, int rowStep, int blockStep, float lo, float hi) {
        int k = pc.k();
        boolean packEach = path == Path.POINTWISE_BLOCKS_PACKED;
        for (int i = 0; i < m; i += MR) {
            int mr = Math.min(MR, m - i);
            if (packEach) {
                float[] ap = PACKED.atLeast(MR * k);
                packRows(a, aOff + i * k, k, mr, ap, 0);
                block(pc, true, ap, 0, mr, y, yOff + i * rowStep, rowStep, blockStep, lo, hi);
            } else if (mr < MR) {
                block(pc, false, edgeRows(a, aOff + i * k, k, mr), 0, mr, y, yOff + i * rowStep, rowStep, blockStep, lo, hi);
            } else {
                block(pc, false, a, aOff + i * k, MR, y, yOff + i * rowStep, rowStep, blockStep, lo, hi);
            }
        }
    }

    /** A short last block's rows copied into scratch and zero-padded to MR rows. */
    private static float[] edgeRows(float[] a, int aOff, int k, int mr) {
        float[] edge = PATCH.atLeast(MR * k);
        System.arraycopy(a, aOff, edge, 0, mr * k);
        java.util.Arrays.fill(edge, mr * k, MR * k, 0f);
        return edge;
    }

    /** Rows [0, mr) of A (k apart from a[aOff]) packed k-major into dst[dstOff + p*MR + i], rows mr..MR-1 zero. */
    static void packRows(float[] a, int aOff, int k, int mr, float[] dst, int dstOff) {
        for (int i = 0; i < mr; i++) {
            int src = aOff + i * k;
            for (int p = 0; p < k; p++) dst[dstOff + p * MR + i] = a[src + p];
        }
        for (int i = mr; i < MR; i++) for (int p = 0; p < k; p++) dst[dstOff + p * MR + i] = 0f;
    }

    /** One block of mr <= MR pixel rows (MR rows readable at a[aOff], packed or k apart) across every output channel, at y[co]. */
    private static void block(PackedConv pc, boolean packed, float[] a, int aOff, int mr, float[] y, int co, int rowStep, int blockStep, float lo, float hi) {
        int[] rows = matrixRows(aOff, pc.k());
        for (int j = 0; j < pc.g().o(); j += NR) panel(pc, packed, a, aOff, rows, 1, pc.k(), 0, mr, y, co, rowStep, blockStep, lo, hi, j);
    }

    private static final ThreadLocal<int[]> ROWS = ThreadLocal.withInitial(() -> new int[MR]);

    /** The offsets of MR matrix rows k apart from aOff (a per-thread array). */
    static int[] matrixRows(int aOff, int k) {
        int[] rows = ROWS.get();
        for (int i = 0; i < MR; i++) rows[i] = aOff + i * k;
        return rows;
    }

    /**
     * The block's tile for output channels [j, j + NR): full tiles in place, edges through a spill
     * tile. A is packed, or row i at a[aOff + i*as] made of segs runs of run floats segStride apart
     * (one run for a matrix row; kh window rows for a window read in place from the input).
     */
    static void panel(PackedConv pc, boolean packed, float[] a, int aOff, int[] rows, int segs, int run, int segStride, int mr, float[] y, int co, int rowStep, int blockStep, float lo, float hi, int j) {
        panel(pc, packed, a, aOff, rows, segs, run, segStride, mr, y, co, rowStep, blockStep, lo, hi, j, false);
    }

    /** The same; first: the panel's weights are met for the first time in this call (packed A then reads them as four streams). */
    static void panel(PackedConv pc, boolean packed, float[] a, int aOff, int[] rows, int segs, int run, int segStride, int mr, float[] y, int co, int rowStep, int blockStep, float lo, float hi, int j, boolean first) {
        int k = pc.k(), o = pc.g().o(), nr = Math.min(NR, o - j), panel = j * k, at = co + j / L * blockStep;
        float[] bp = pc.panels(), bias = pc.bias();
        if (!Kernels.SCALAR && mr == MR && nr == NR) {
            if (packed && first) packedStreamsTile(k, a, aOff, bp, panel, bias, j, lo, hi, y, at, rowStep, blockStep);
            else if (packed) packedTile(k, a, aOff, bp, panel, bias, j, lo, hi, y, at, rowStep, blockStep);
            else tile(segs, run, segStride, a, rows, bp, panel, bias, j, lo, hi, y, at, rowStep, blockStep);
            return;
        }
        if (!Kernels.SCALAR && mr == MR && nr >= L) {
            // e.g. a 24-channel projection: 16 columns in place, the last 8 through the spill tile. One full
            // tile into the spill tile was 0.72-0.79x on those layers alone but 1.02x on the whole model
            // (six runs of scripts/compare-builds.sh): tile's compiled code serves every conv, so a second
            // caller's profile costs it elsewhere
            half(packed, segs, run, segStride, a, aOff, rows, bp, panel, bias, j, lo, hi, y, at, rowStep);
            if (nr == L) return;
            float[] spill = SPILL.atLeast(MR * NR);
            half(packed, segs, run, segStride, a, aOff, rows, bp, panel + L, bias, j + L, lo, hi, spill, 0, NR);
            unspill(spill, MR, nr - L, y, at + blockStep, rowStep, blockStep);
            return;
        }
        if (!Kernels.SCALAR && mr <= ROW_MAX) {
            for (int i = 0; i < mr; i++) rowPanel(packed, segs, run, segStride, a, aOff, rows, i, k, bp, panel, bias, j, lo, hi, y, at + i * rowStep, blockStep, nr);
            return;
        }
        float[] spill = SPILL.atLeast(MR * NR);
        spillTile(pc, packed, a, aOff, rows, segs, run, segStride, j, lo, hi, spill);
        unspill(spill, mr, nr, y, at, rowStep, blockStep);
    }

    /** The first mr rows of nr columns of the spill tile into y[at] (rows rowStep apart, the second vector of columns blockStep on). */
    static void unspill(float[] spill, int mr, int nr, float[] y, int at, int rowStep, int blockStep) {
        for (int i = 0; i < mr; i++) {
            if (nr <= L || blockStep == L) {
                System.arraycopy(spill, i * NR, y, at + i * rowStep, nr);
            } else {
                System.arraycopy(spill, i * NR, y, at + i * rowStep, L);
                System.arraycopy(spill, i * NR + L, y, at + i * rowStep + blockStep, nr - L);
            }
        }
    }

    /** A short last block of at most this many rows goes row by row ({@link #rowPanel}) instead of as a zero-padded full tile. */
    static final int ROW_MAX = 3;

    /**
     * Row i of a short last block times one panel, alone: a 7x7 map's 49 pixels are six blocks and
     * one pixel, which as a zero-padded tile cost as much as a full block (an eighth of MobileNetV2's
     * 7x7 layers). Four accumulators (two column vectors, even and odd k) hide the FMA latency; the
     * result is stored straight when the panel is full, through the spill row when it is short.
     * Measured alternating in one JVM: MobileNetV2's 7x7 1x1 convs 0.91-0.95x, the whole model 0.93-1.04x
     * over four runs on one thread (mean 0.98), even on two.
     */
    private static void rowPanel(boolean packed, int segs, int run, int segStride, float[] a, int aOff, int[] rows, int i, int k, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] y, int yo, int blockStep, int nr) {
        FloatVector c0 = FloatVector.fromArray(S, bias, j), c1 = FloatVector.fromArray(S, bias, j + L), d0 = FloatVector.zero(S), d1 = d0;
        if (packed) {
            int p = 0;
            for (; p + 1 < k; p += 2) {
                int bi = bOff + p * NR;
                FloatVector x = FloatVector.broadcast(S, a[aOff + p * MR + i]), x2 = FloatVector.broadcast(S, a[aOff + (p + 1) * MR + i]);
                c0 = x.fma(FloatVector.fromArray(S, bp, bi), c0);
                c1 = x.fma(FloatVector.fromArray(S, bp, bi + L), c1);
                d0 = x2.fma(FloatVector.fromArray(S, bp, bi + NR), d0);
                d1 = x2.fma(FloatVector.fromArray(S, bp, bi + NR + L), d1);
            }
            if (p < k) {
                FloatVector x = FloatVector.broadcast(S, a[aOff + p * MR + i]);
                c0 = x.fma(FloatVector.fromArray(S, bp, bOff + p * NR), c0);
                c1 = x.fma(FloatVector.fromArray(S, bp, bOff + p * NR + L), c1);
            }
        } else {
            for (int sg = 0; sg < segs; sg++) {
                int r = rows[i] + sg * segStride, bs = bOff + sg * run * NR, p = 0;
                for (; p + 1 < run; p += 2) {
                    int bi = bs + p * NR;
                    FloatVector x = FloatVector.broadcast(S, a[r + p]), x2 = FloatVector.broadcast(S, a[r + p + 1]);
                    c0 = x.fma(FloatVector.fromArray(S, bp, bi), c0);
                    c1 = x.fma(FloatVector.fromArray(S, bp, bi + L), c1);
                    d0 = x2.fma(FloatVector.fromArray(S, bp, bi + NR), d0);
                    d1 = x2.fma(FloatVector.fromArray(S, bp, bi + NR + L), d1);
                }
                if (p < run) {
                    FloatVector x = FloatVector.broadcast(S, a[r + p]);
                    c0 = x.fma(FloatVector.fromArray(S, bp, bs + p * NR), c0);
                    c1 = x.fma(FloatVector.fromArray(S, bp, bs + p * NR + L), c1);
                }
            }
        }
        c0 = c0.add(d0);
        c1 = c1.add(d1);
        FloatVector l = FloatVector.broadcast(S, lo), h = FloatVector.broadcast(S, hi);
        c0 = c0.blend(l, c0.lt(l)).blend(h, h.lt(c0));
        c1 = c1.blend(l, c1.lt(l)).blend(h, h.lt(c1));
        if (nr == NR) {
            c0.intoArray(y, yo);
            c1.intoArray(y, yo + blockStep);
            return;
        }
        float[] spill = SPILL.atLeast(MR * NR);
        c0.intoArray(spill, 0);
        c1.intoArray(spill, L);
        unspill(spill, 1, nr, y, yo, 0, blockStep);
    }

    /** The full MR x NR tile for output channels [j, j + NR) into spill (row length NR). */
    static void spillTile(PackedConv pc, boolean packed, float[] a, int aOff, int[] rows, int segs, int run, int segStride, int j, float lo, float hi, float[] spill) {
        int k = pc.k(), nr = Math.min(NR, pc.g().o() - j), panel = j * k;
        float[] bp = pc.panels(), bias = pc.bias();
        if (Kernels.SCALAR) tileScalar(k, a, rows[0], bp, panel, bias, j, lo, hi, spill);  // scalar: always k-apart rows
        else if (nr <= L) half(packed, segs, run, segStride, a, aOff, rows, bp, panel, bias, j, lo, hi, spill, 0, NR);
        else if (packed) packedTile(k, a, aOff, bp, panel, bias, j, lo, hi, spill, 0, NR, L);
        else tile(segs, run, segStride, a, rows, bp, panel, bias, j, lo, hi, spill, 0, NR, L);
    }

    private static void half(boolean packed, int segs, int run, int segStride, float[] a, int aOff, int[] rows, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] c, int cOff, int ldc) {
        if (packed) packedHalfTile(segs * run, a, aOff, bp, bOff, bias, j, lo, hi, c, cOff, ldc);
        else halfTile(segs, run, segStride, a, rows, bp, bOff, bias, j, lo, hi, c, cOff, ldc);
    }
}
