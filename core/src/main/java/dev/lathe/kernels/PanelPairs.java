package dev.lathe.kernels;

import static dev.lathe.kernels.ChannelsLast.L;
import static dev.lathe.kernels.ChannelsLast.MR;
import static dev.lathe.kernels.ChannelsLast.NR;
import static dev.lathe.kernels.ChannelsLast.S;

import jdk.incubator.vector.FloatVector;

/**
 * The channel-blocked 1x1 conv two weight panels at a time: a tile of 6 pixels times 4 vectors of
 * output channels (panels j and j + NR) holds 24 accumulators and loads 6 broadcasts and 4 weight
 * vectors for its 24 FMAs a k step, where the 8 x 2 tile loads 10 for 16. With AVX-512's 32
 * registers that is 29 live vectors, no spill; MLAS's AVX-512 kernels use the same 6 x 4 shape.
 * Alone, the two alternating in one JVM (K = 96-144, 48-112 pixels, A and the panels in L1 or L2):
 * 74.8-79.0 GMAC/s against 68.0-73.3 (see docs/ARCHITECTURE.md). The weights stay packed in NR-column
 * panels; the tile just reads two of them. A pair's pixels go in 6-pixel tiles, then up to two 8-pixel
 * tiles where that leaves fewer pixels over, at most three left for the edge paths. The first tile
 * reads the two panels as two streams; the 8 x 2 path's four-stream first tile
 * ({@link BlockedTiles#blockedStreamsTile}) in front of the pairs measured no better (MobileNetV2's
 * 7x7 blocks 1.00x against the old path, 0.96x without it), nor did a four-stream pair tile (MobileNetV2's
 * 320 -> 1280 conv, weights from L3 or memory, alternating in one JVM: 0.97-1.08x).
 */
final class PanelPairs {
    private PanelPairs() {}

    /** Pixels per pair tile. */
    static final int PR = 6;

    /** Whether the pair tile fits the registers: 32 vector registers, which AVX-512 (16 floats a vector) has and AVX2 does not. */
    static final boolean ENABLED = !Kernels.SCALAR && L == 16;

    /** Whether panels j and j + NR are both full within [j, to) of o output channels, for m pixels. */
    static boolean pairAt(int j, int to, int o, int m) { return ENABLED && m >= MR && j + 2 * NR <= Math.min(to, o); }

    /** Where the run of pairs of full panels starting at from ends (from itself when there is none). */
    static int pairsEnd(int from, int to, int o, int m) {
        int end = from;
        while (pairAt(end, to, o, m)) end += 2 * NR;
        return end;
    }

    /**
     * Where the pair tiles of m >= MR pixels end: 6-pixel tiles over [0, {@link #sixesEnd}), then up to
     * two 8-pixel tiles, as many as leave the fewest pixels over (at most 3).
     */
    static int tilesEnd(int m) { return sixesEnd(m) + eights(m) * MR; }

    static int sixesEnd(int m) { return (m - eights(m) * MR) / PR * PR; }

    private static int eights(int m) {
        int best = 0, left = m % PR;
        for (int u = 1; u <= 2 && u * MR <= m; u++) {
            int l = (m - u * MR) % PR;
            if (l < left) { best = u; left = l; }
        }
        return best;
    }

    /**
     * Pixels [i, i + size) (size MR or PR) of channel-blocked A times panels j and j + NR over n channel
     * blocks: A's chunk from a[ab], panel j's weights from bp[bb], panel j + NR's panelStride further;
     * output vector v of pixel p at y[at + p * rowStep + v * blockStep].
     */
    static void group(int n, int bs, float[] a, int ab, float[] bp, int bb, int panelStride, float[] bias, int j, float lo, float hi,
                      float[] y, int at, int rowStep, int blockStep, boolean accumulate, int i, int size) {
        int ai = ab + i * L, yi = at + i * rowStep;
        if (size == PR) {
            tile(n, bs, a, ai, bp, bb, bb + panelStride, bias, j, lo, hi, y, yi, rowStep, blockStep, accumulate);
        } else {
            BlockedTiles.blockedTile(n, bs, a, ai, bp, bb, bias, j, lo, hi, y, yi, rowStep, blockStep, accumulate);
            BlockedTiles.blockedTile(n, bs, a, ai, bp, bb + panelStride, bias, j + NR, lo, hi, y, yi + 2 * blockStep, rowStep, blockStep, accumulate);
        }
    }

    /** All tiles of the pair (j, j + NR) over pixels [0, tilesEnd(m)) for one K chunk (channel blocks from cb0, n of them). */
    static void tiles(ChannelsLast.PackedConv pc, float[] a, int aOff, int bs, int m, float[] y, int at, int rowStep, int blockStep,
                      float lo, float hi, int j, int cb0, int n, boolean accumulate) {
        int k = pc.k(), ab = aOff + cb0 * bs, bb = j * k + cb0 * L * NR, sixes = sixesEnd(m), end = tilesEnd(m);
        float[] bp = pc.panels(), bias = pc.bias();
        for (int i = 0; i < end; ) {
            int size = i >= sixes ? MR : PR;
            group(n, bs, a, ab, bp, bb, NR * k, bias, j, lo, hi, y, at, rowStep, blockStep, accumulate, i, size);
            i += size;
        }
    }

    /**
     * Pixel block by pixel block, the pairs of full panels from panel from on (BlockedPointwise.pointwiseBlocked's
     * order for more pixels than outputs); returns where the pairs end, the panels after it left to the caller.
     */
    static int pixelMajor(ChannelsLast.PackedConv pc, float[] a, int aOff, int bs, int m, float[] y, int yOff, int rowStep, int blockStep,
                          float lo, float hi, int from, int to) {
        int k = pc.k(), blocks = k / L, pairsEnd = pairsEnd(from, to, pc.g().o(), m), sixes = sixesEnd(m), end = tilesEnd(m);
        float[] bp = pc.panels(), bias = pc.bias();
        for (int i = 0; i < end; ) {
            int size = i >= sixes ? MR : PR;
            for (int j = from; j < pairsEnd; j += 2 * NR) {
                group(blocks, bs, a, aOff, bp, j * k, NR * k, bias, j, lo, hi, y, yOff + j / L * blockStep, rowStep, blockStep, false, i, size);
            }
            i += size;
        }
        for (int j = from; j < pairsEnd && end < m; j += NR) {
            BlockedPointwise.blockedPanel(pc, a, aOff + end * L, bs, m - end, y, yOff + end * rowStep, rowStep, blockStep, lo, hi, j, false);
        }
        return pairsEnd;
    }

    /**
     * The 6 x 4 tile: pixel p's channel cb*L + q at a[aOff + cb*bs + p*L + q]; panel j's weights from
     * bp[b0Off], panel j + NR's from bp[b1Off] (each L*NR floats a channel block); bias from bias[j].
     */
    static void tile(int blocks, int bs, float[] a, int aOff, float[] bp, int b0Off, int b1Off, float[] bias, int j, float lo, float hi,
                     float[] c, int cOff, int ldc, int c1, boolean accumulate) {
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        int r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, v2 = 2 * c1, v3 = 3 * c1;
        if (accumulate) {  // a later K chunk: the sums so far from c
            c00 = FloatVector.fromArray(S, c, cOff); c01 = FloatVector.fromArray(S, c, cOff + c1); c02 = FloatVector.fromArray(S, c, cOff + v2); c03 = FloatVector.fromArray(S, c, cOff + v3);
            c10 = FloatVector.fromArray(S, c, r1); c11 = FloatVector.fromArray(S, c, r1 + c1); c12 = FloatVector.fromArray(S, c, r1 + v2); c13 = FloatVector.fromArray(S, c, r1 + v3);
            c20 = FloatVector.fromArray(S, c, r2); c21 = FloatVector.fromArray(S, c, r2 + c1); c22 = FloatVector.fromArray(S, c, r2 + v2); c23 = FloatVector.fromArray(S, c, r2 + v3);
            c30 = FloatVector.fromArray(S, c, r3); c31 = FloatVector.fromArray(S, c, r3 + c1); c32 = FloatVector.fromArray(S, c, r3 + v2); c33 = FloatVector.fromArray(S, c, r3 + v3);
            c40 = FloatVector.fromArray(S, c, r4); c41 = FloatVector.fromArray(S, c, r4 + c1); c42 = FloatVector.fromArray(S, c, r4 + v2); c43 = FloatVector.fromArray(S, c, r4 + v3);
            c50 = FloatVector.fromArray(S, c, r5); c51 = FloatVector.fromArray(S, c, r5 + c1); c52 = FloatVector.fromArray(S, c, r5 + v2); c53 = FloatVector.fromArray(S, c, r5 + v3);
        } else {
            FloatVector e0 = FloatVector.fromArray(S, bias, j), e1 = FloatVector.fromArray(S, bias, j + L);
            FloatVector e2 = FloatVector.fromArray(S, bias, j + 2 * L), e3 = FloatVector.fromArray(S, bias, j + 3 * L);
            c00 = e0; c01 = e1; c02 = e2; c03 = e3; c10 = e0; c11 = e1; c12 = e2; c13 = e3; c20 = e0; c21 = e1; c22 = e2; c23 = e3;
            c30 = e0; c31 = e1; c32 = e2; c33 = e3; c40 = e0; c41 = e1; c42 = e2; c43 = e3; c50 = e0; c51 = e1; c52 = e2; c53 = e3;
        }
        for (int cb = 0; cb < blocks; cb++) {
        int ab = aOff + cb * bs, bb0 = b0Off + cb * L * NR, bb1 = b1Off + cb * L * NR;
        for (int q = 0; q < L; q++) {
            int ai = ab + q, bi0 = bb0 + q * NR, bi1 = bb1 + q * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi0), b1 = FloatVector.fromArray(S, bp, bi0 + L);
            FloatVector b2 = FloatVector.fromArray(S, bp, bi1), b3 = FloatVector.fromArray(S, bp, bi1 + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01); c02 = x.fma(b2, c02); c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a[ai + L]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11); c12 = x.fma(b2, c12); c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a[ai + 2 * L]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21); c22 = x.fma(b2, c22); c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a[ai + 3 * L]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31); c32 = x.fma(b2, c32); c33 = x.fma(b3, c33);
            x = FloatVector.broadcast(S, a[ai + 4 * L]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41); c42 = x.fma(b2, c42); c43 = x.fma(b3, c43);
            x = FloatVector.broadcast(S, a[ai + 5 * L]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51); c52 = x.fma(b2, c52); c53 = x.fma(b3, c53);
        }
        }
        if (lo != Float.NEGATIVE_INFINITY) {
            FloatVector l = FloatVector.broadcast(S, lo);
            c00 = c00.blend(l, c00.lt(l)); c01 = c01.blend(l, c01.lt(l)); c02 = c02.blend(l, c02.lt(l)); c03 = c03.blend(l, c03.lt(l));
            c10 = c10.blend(l, c10.lt(l)); c11 = c11.blend(l, c11.lt(l)); c12 = c12.blend(l, c12.lt(l)); c13 = c13.blend(l, c13.lt(l));
            c20 = c20.blend(l, c20.lt(l)); c21 = c21.blend(l, c21.lt(l)); c22 = c22.blend(l, c22.lt(l)); c23 = c23.blend(l, c23.lt(l));
            c30 = c30.blend(l, c30.lt(l)); c31 = c31.blend(l, c31.lt(l)); c32 = c32.blend(l, c32.lt(l)); c33 = c33.blend(l, c33.lt(l));
            c40 = c40.blend(l, c40.lt(l)); c41 = c41.blend(l, c41.lt(l)); c42 = c42.blend(l, c42.lt(l)); c43 = c43.blend(l, c43.lt(l));
            c50 = c50.blend(l, c50.lt(l)); c51 = c51.blend(l, c51.lt(l)); c52 = c52.blend(l, c52.lt(l)); c53 = c53.blend(l, c53.lt(l));
        }
        if (hi != Float.POSITIVE_INFINITY) {
            FloatVector h = FloatVector.broadcast(S, hi);
            c00 = c00.blend(h, h.lt(c00)); c01 = c01.blend(h, h.lt(c01)); c02 = c02.blend(h, h.lt(c02)); c03 = c03.blend(h, h.lt(c03));
            c10 = c10.blend(h, h.lt(c10)); c11 = c11.blend(h, h.lt(c11)); c12 = c12.blend(h, h.lt(c12)); c13 = c13.blend(h, h.lt(c13));
            c20 = c20.blend(h, h.lt(c20)); c21 = c21.blend(h, h.lt(c21)); c22 = c22.blend(h, h.lt(c22)); c23 = c23.blend(h, h.lt(c23));
            c30 = c30.blend(h, h.lt(c30)); c31 = c31.blend(h, h.lt(c31)); c32 = c32.blend(h, h.lt(c32)); c33 = c33.blend(h, h.lt(c33));
            c40 = c40.blend(h, h.lt(c40)); c41 = c41.blend(h, h.lt(c41)); c42 = c42.blend(h, h.lt(c42)); c43 = c43.blend(h, h.lt(c43));
            c50 = c50.blend(h, h.lt(c50)); c51 = c51.blend(h, h.lt(c51)); c52 = c52.blend(h, h.lt(c52)); c53 = c53.blend(h, h.lt(c53));
        }
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + c1); c02.intoArray(c, cOff + v2); c03.intoArray(c, cOff + v3);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + c1); c12.intoArray(c, r1 + v2); c13.intoArray(c, r1 + v3);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + c1); c22.intoArray(c, r2 + v2); c23.intoArray(c, r2 + v3);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + c1); c32.intoArray(c, r3 + v2); c33.intoArray(c, r3 + v3);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + c1); c42.intoArray(c, r4 + v2); c43.intoArray(c, r4 + v3);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + c1); c52.intoArray(c, r5 + v2); c53.intoArray(c, r5 + v3);
    }
}
