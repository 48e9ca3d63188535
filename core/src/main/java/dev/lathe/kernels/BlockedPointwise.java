package dev.lathe.kernels;

import static dev.lathe.kernels.BlockedTiles.blockedHalfTile;
import static dev.lathe.kernels.BlockedTiles.blockedStreamsTile;
import static dev.lathe.kernels.BlockedTiles.blockedTailTile;
import static dev.lathe.kernels.BlockedTiles.blockedTile;
import static dev.lathe.kernels.ChannelsLast.KC_BLOCKED;
import static dev.lathe.kernels.ChannelsLast.L;
import static dev.lathe.kernels.ChannelsLast.MR;
import static dev.lathe.kernels.ChannelsLast.NR;
import static dev.lathe.kernels.ChannelsLast.S;
import static dev.lathe.kernels.PixelGemm.ROW_MAX;
import static dev.lathe.kernels.PixelGemm.SPILL;
import static dev.lathe.kernels.PixelGemm.unspill;

import dev.lathe.kernels.ChannelsLast.PackedConv;
import jdk.incubator.vector.FloatVector;

/**
 * The 1x1 conv over A held channel-blocked (L channels of a pixel together, blocks of channels apart):
 * a fused block's expanded and depthwise rows ({@link InvertedResidual}), and a deep few-pixel layer
 * whose A is blocked once ({@link ChannelsLast.Path#POINTWISE_PANELS_CHUNKED}). Full tiles and pairs of
 * panels ({@link PanelPairs}) pixel block by block, or panel by panel with K in L1-sized chunks; the
 * tiles are {@link BlockedTiles}. Also {@link #toBlocked}, channels-last rows into this form.
 */
final class BlockedPointwise {
    private BlockedPointwise() {}

    /**
     * {@link PixelGemm#pointwise} over A held channel-blocked: channel k of pixel i at a[aOff + (k / L) * bs +
     * i * L + k % L], as a fused block writes its depthwise rows (each pixel's vector of L channels a
     * plain store, no packing pass). A tile then reads its eight pixels at fixed offsets from one
     * index, as over packed A, where the channels-last rows are eight streams of their own: the
     * in-place tile costs ~8 cycles a k step whatever its FMA count, the packed one ~5 (ARCHITECTURE).
     * k a multiple of L; pixels up to m rounded up to MR readable in every block (their results
     * are dropped). Output channels-last at y[yOff + i * out].
     */
    static void pointwiseBlocked(PackedConv pc, float[] a, int aOff, int bs, int m, float[] y, int yOff, float lo, float hi) {
        pointwiseBlocked(pc, a, aOff, bs, m, y, yOff, pc.g().o(), L, lo, hi);
    }

    /** The same into any output layout, as {@link PixelGemm#pointwise(PackedConv, float[], int, int, float[], int, int, int, float, float)}. */
    static void pointwiseBlocked(PackedConv pc, float[] a, int aOff, int bs, int m, float[] y, int yOff, int rowStep, int blockStep, float lo, float hi) {
        pointwiseBlocked(pc, a, aOff, bs, m, y, yOff, rowStep, blockStep, lo, hi, 0, pc.g().o());
    }

    /** The same for output channels [from, to) only (multiples of NR but for the end): a part of a split over output channels. */
    static void pointwiseBlocked(PackedConv pc, float[] a, int aOff, int bs, int m, float[] y, int yOff, int rowStep, int blockStep, float lo, float hi, int from, int to) {
        int o = to - from;
        if (pc.k() % L != 0 || bs < (m + MR - 1) / MR * MR * L) throw new IllegalArgumentException("channel-blocked 1x1 conv: k " + pc.k() + " not a multiple of " + L + " or block stride " + bs + " under " + m + " pixels");
        int k = pc.k(), blocks = k / L, chunks = (k + KC_BLOCKED - 1) / KC_BLOCKED;
        if (chunks > 1 && !Kernels.SCALAR) {
            panelByPanel(pc, a, aOff, bs, m, y, yOff, rowStep, blockStep, lo, hi, from, to, (blocks + chunks - 1) / chunks);
            return;
        }
        if (m < o && o > NR) {  // few pixels, wide weights: each weight panel once for all pixel blocks (see pointwise)
            if (PanelPairs.ENABLED) {
                panelByPanel(pc, a, aOff, bs, m, y, yOff, rowStep, blockStep, lo, hi, from, to, blocks);
                return;
            }
            for (int j = from; j < to; j += NR) for (int i = 0; i < m; i += MR) blockedPanel(pc, a, aOff + i * L, bs, Math.min(MR, m - i), y, yOff + i * rowStep, rowStep, blockStep, lo, hi, j, i == 0);
            return;
        }
        // the first pixel block meets every weight first (from memory: see blockedStreamsTile); pairs of full panels first
        int pairsEnd = PanelPairs.pairAt(from, to, pc.g().o(), m) ? PanelPairs.pixelMajor(pc, a, aOff, bs, m, y, yOff, rowStep, blockStep, lo, hi, from, to) : from;
        for (int i = 0; i < m; i += MR) for (int j = pairsEnd; j < to; j += NR) blockedPanel(pc, a, aOff + i * L, bs, Math.min(MR, m - i), y, yOff + i * rowStep, rowStep, blockStep, lo, hi, j, i == 0);
    }

    /**
     * pointwiseBlocked panel by panel (pairs of full panels through {@link PanelPairs}), K in chunks of
     * per channel blocks: for K above KC_BLOCKED even chunks of at most KC_BLOCKED, each chunk of the panel's weights read by every full pixel block while in
     * L1 (the first block as four streams), the sums so far kept in y between chunks and the activation
     * applied by the last. Whole-K tiles read a 49-123 KB panel (384 to 960 deep) from L2 for every block: alone,
     * 61 GMAC/s at K = 576 and 46-51 at 960 against ~70 at 96-320. In MobileNetV2, alternating in one JVM
     * (scripts/compare-builds.sh, two runs each), chunks of 320 against none: its 14x14 blocks 0.89-0.98x on one
     * and two threads, the 7x7 ones 1.02-1.05x on one and 0.92-1.02x on two; all steps 0.96-1.01x on one,
     * 0.94-0.95x on two. Chunks of 160 against 320 (a chunk of weights 20 KB, A's chunk for a 7x7 map 31 KB: both
     * in L1 together, as MLAS's chunks of 128 channels): all steps 0.965-0.966x on one thread (two runs), 1.00x on
     * two. Without the four streams on each chunk's first block the 7x7 blocks lost more (two threads 1.1-1.5x).
     * Edge blocks and a short last panel go whole-K. Fewer pixels than outputs, unchunked: one chunk.
     */
    private static void panelByPanel(PackedConv pc, float[] a, int aOff, int bs, int m, float[] y, int yOff, int rowStep, int blockStep, float lo, float hi, int from, int to, int per) {
        int k = pc.k(), blocks = k / L, o = pc.g().o();
        float[] bp = pc.panels(), bias = pc.bias();
        for (int j = from; j < to; ) {
            int at = yOff + j / L * blockStep;
            boolean pair = PanelPairs.pairAt(j, to, o, m);
            int full = pair ? PanelPairs.tilesEnd(m) : o - j >= NR ? m / MR * MR : 0;
            for (int cb0 = 0; cb0 < blocks; cb0 += per) {
                int n = Math.min(blocks, cb0 + per) - cb0, ab = aOff + cb0 * bs, bb = j * k + cb0 * L * NR;
                float l = cb0 + n == blocks ? lo : Float.NEGATIVE_INFINITY, h = cb0 + n == blocks ? hi : Float.POSITIVE_INFINITY;
                if (pair) {
                    PanelPairs.tiles(pc, a, aOff, bs, m, y, at, rowStep, blockStep, l, h, j, cb0, n, cb0 > 0);
                    continue;
                }
                for (int i = 0; i < full; i += MR) {
                    if (i == 0 && n >= 4) blockedStreamsTile(n, bs, a, ab, bp, bb, bias, j, l, h, y, at, rowStep, blockStep, cb0 > 0);
                    else blockedTile(n, bs, a, ab + i * L, bp, bb, bias, j, l, h, y, at + i * rowStep, rowStep, blockStep, cb0 > 0);
                }
            }
            for (int p = j; p < j + (pair ? 2 * NR : NR) && p < to; p += NR) {
                for (int i = full; i < m; i += MR) blockedPanel(pc, a, aOff + i * L, bs, Math.min(MR, m - i), y, yOff + i * rowStep, rowStep, blockStep, lo, hi, p, false);
            }
            j += pair ? 2 * NR : NR;
        }
    }

    /** {@link PixelGemm#panel} for channel-blocked A: mr pixels from a[aOff] times the panel of output channels [j, j + NR), at y[co]; first: the panel's weights are met for the first time in this call. */
    static void blockedPanel(PackedConv pc, float[] a, int aOff, int bs, int mr, float[] y, int co, int rowStep, int blockStep, float lo, float hi, int j, boolean first) {
        int k = pc.k(), blocks = k / L, o = pc.g().o(), nr = Math.min(NR, o - j), panel = j * k, at = co + j / L * blockStep;
        float[] bp = pc.panels(), bias = pc.bias();
        if (mr == MR && nr == NR) {
            if (first && blocks >= 4) blockedStreamsTile(blocks, bs, a, aOff, bp, panel, bias, j, lo, hi, y, at, rowStep, blockStep, false);
            else blockedTile(blocks, bs, a, aOff, bp, panel, bias, j, lo, hi, y, at, rowStep, blockStep, false);
            return;
        }
        if (mr <= ROW_MAX) {
            for (int i = 0; i < mr; i++) blockedRow(blocks, bs, a, aOff + i * L, bp, panel, bias, j, lo, hi, y, at + i * rowStep, blockStep, nr);
            return;
        }
        if (mr == MR && nr == L) {
            blockedHalfTile(blocks, bs, a, aOff, bp, panel, bias, j, lo, hi, y, at, rowStep);
            return;
        }
        if (mr == MR && nr > L) {
            blockedTailTile(blocks, bs, a, aOff, bp, panel, bias, j, lo, hi, y, at, rowStep, blockStep, nr);
            return;
        }
        float[] spill = SPILL.atLeast(MR * NR);
        if (nr <= L) blockedHalfTile(blocks, bs, a, aOff, bp, panel, bias, j, lo, hi, spill, 0, NR);
        else blockedTile(blocks, bs, a, aOff, bp, panel, bias, j, lo, hi, spill, 0, NR, L, false);
        unspill(spill, mr, nr, y, at, rowStep, blockStep);
    }

    /** One pixel of channel-blocked A (its first L channels at a[aOff]) times one panel, as {@link PixelGemm#rowPanel}. */
    private static void blockedRow(int blocks, int bs, float[] a, int aOff, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] y, int yo, int blockStep, int nr) {
        FloatVector c0 = FloatVector.fromArray(S, bias, j), c1 = FloatVector.fromArray(S, bias, j + L), d0 = FloatVector.zero(S), d1 = d0;
        for (int cb = 0; cb < blocks; cb++) {
            int ab = aOff + cb * bs, bb = bOff + cb * L * NR;
            for (int q = 0; q < L; q += 2) {
                int bi = bb + q * NR;
                FloatVector x = FloatVector.broadcast(S, a[ab + q]), x2 = FloatVector.broadcast(S, a[ab + q + 1]);
                c0 = x.fma(FloatVector.fromArray(S, bp, bi), c0);
                c1 = x.fma(FloatVector.fromArray(S, bp, bi + L), c1);
                d0 = x2.fma(FloatVector.fromArray(S, bp, bi + NR), d0);
                d1 = x2.fma(FloatVector.fromArray(S, bp, bi + NR + L), d1);
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


    /** n channels-last pixels of c channels (c a multiple of L) from x[xOff] into channel-blocked form at y[yOff] (blocks blockStep apart). */
    static void toBlocked(float[] x, int xOff, int n, int c, float[] y, int yOff, int blockStep) {
        for (int cb = 0; cb < c / L; cb++) {
            int src = xOff + cb * L, dst = yOff + cb * blockStep;
            for (int p = 0; p < n; p++) FloatVector.fromArray(S, x, src + p * c).intoArray(y, dst + p * L);
        }
    }
}
