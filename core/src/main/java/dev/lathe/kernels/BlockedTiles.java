package dev.lathe.kernels;

import static dev.lathe.kernels.ChannelsLast.L;
import static dev.lathe.kernels.ChannelsLast.NR;
import static dev.lathe.kernels.ChannelsLast.S;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The register tiles of {@link BlockedPointwise}: {@link PixelTiles}' tiles over A held channel-blocked
 * (pixel i's channel cb*L + q at a[aOff + cb*bs + i*L + q]), as a fused block writes its depthwise rows:
 * a tile then reads its eight pixels at fixed offsets from one index. The full tile (which can add to
 * the sums so far of an earlier K chunk), its four-stream twin for a panel's first block, a masked tail
 * tile for a last panel of L < nr < NR outputs, and the half tile.
 */
final class BlockedTiles {
    private BlockedTiles() {}

    /** {@link PixelTiles#tile} over channel-blocked A ({@link BlockedPointwise#pointwiseBlocked}): pixel i's channel cb*L + q at a[aOff + cb*bs + i*L + q]. */
    static void blockedTile(int blocks, int bs, float[] a, int aOff, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] c, int cOff, int ldc, int c1, boolean accumulate) {
        FloatVector bias0 = FloatVector.fromArray(S, bias, j), bias1 = FloatVector.fromArray(S, bias, j + L);
        FloatVector c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
        FloatVector c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1, c60 = bias0, c61 = bias1, c70 = bias0, c71 = bias1;
        if (accumulate) {  // a later K chunk: the sums so far from c
            c00 = FloatVector.fromArray(S, c, cOff); c01 = FloatVector.fromArray(S, c, cOff + c1);
            c10 = FloatVector.fromArray(S, c, cOff + ldc); c11 = FloatVector.fromArray(S, c, cOff + ldc + c1);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc); c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + c1);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc); c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + c1);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc); c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + c1);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc); c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + c1);
            c60 = FloatVector.fromArray(S, c, cOff + 6 * ldc); c61 = FloatVector.fromArray(S, c, cOff + 6 * ldc + c1);
            c70 = FloatVector.fromArray(S, c, cOff + 7 * ldc); c71 = FloatVector.fromArray(S, c, cOff + 7 * ldc + c1);
        }
        for (int cb = 0; cb < blocks; cb++) {
        int ab = aOff + cb * bs, bb = bOff + cb * L * NR;
        for (int q = 0; q < L; q++) {
            int bi = bb + q * NR, ai = ab + q;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + L]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2 * L]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3 * L]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4 * L]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5 * L]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6 * L]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7 * L]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        }
        if (lo != Float.NEGATIVE_INFINITY) {
            FloatVector l = FloatVector.broadcast(S, lo);
            c00 = c00.blend(l, c00.lt(l)); c01 = c01.blend(l, c01.lt(l)); c10 = c10.blend(l, c10.lt(l)); c11 = c11.blend(l, c11.lt(l));
            c20 = c20.blend(l, c20.lt(l)); c21 = c21.blend(l, c21.lt(l)); c30 = c30.blend(l, c30.lt(l)); c31 = c31.blend(l, c31.lt(l));
            c40 = c40.blend(l, c40.lt(l)); c41 = c41.blend(l, c41.lt(l)); c50 = c50.blend(l, c50.lt(l)); c51 = c51.blend(l, c51.lt(l));
            c60 = c60.blend(l, c60.lt(l)); c61 = c61.blend(l, c61.lt(l)); c70 = c70.blend(l, c70.lt(l)); c71 = c71.blend(l, c71.lt(l));
        }
        if (hi != Float.POSITIVE_INFINITY) {
            FloatVector h = FloatVector.broadcast(S, hi);
            c00 = c00.blend(h, h.lt(c00)); c01 = c01.blend(h, h.lt(c01)); c10 = c10.blend(h, h.lt(c10)); c11 = c11.blend(h, h.lt(c11));
            c20 = c20.blend(h, h.lt(c20)); c21 = c21.blend(h, h.lt(c21)); c30 = c30.blend(h, h.lt(c30)); c31 = c31.blend(h, h.lt(c31));
            c40 = c40.blend(h, h.lt(c40)); c41 = c41.blend(h, h.lt(c41)); c50 = c50.blend(h, h.lt(c50)); c51 = c51.blend(h, h.lt(c51));
            c60 = c60.blend(h, h.lt(c60)); c61 = c61.blend(h, h.lt(c61)); c70 = c70.blend(h, h.lt(c70)); c71 = c71.blend(h, h.lt(c71));
        }
        int r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + c1);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + c1);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + c1);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + c1);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + c1);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + c1);
        c60.intoArray(c, r6); c61.intoArray(c, r6 + c1);
        c70.intoArray(c, r7); c71.intoArray(c, r7 + c1);
    }

    /**
     * {@link #blockedTile} for a last panel of L < nr < NR outputs, the second vector stored under a
     * mask of its first nr - L lanes straight into c: MobileNetV2's 24-channel projections went through
     * a spill tile and a copy of each row. Its own method, a copy of blockedTile's body, on purpose: a
     * mask passed into blockedTile was boxed (allocation per call) and made the common tile 4-10% slower,
     * and one made inside blockedTile from nr (all lanes for full panels) still failed the allocation test.
     */
    static void blockedTailTile(int blocks, int bs, float[] a, int aOff, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] c, int cOff, int ldc, int c1, int nr) {
        VectorMask<Float> tail = S.indexInRange(L, nr);
        FloatVector bias0 = FloatVector.fromArray(S, bias, j), bias1 = FloatVector.fromArray(S, bias, j + L);
        FloatVector c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
        FloatVector c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1, c60 = bias0, c61 = bias1, c70 = bias0, c71 = bias1;
        for (int cb = 0; cb < blocks; cb++) {
        int ab = aOff + cb * bs, bb = bOff + cb * L * NR;
        for (int q = 0; q < L; q++) {
            int bi = bb + q * NR, ai = ab + q;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + L]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2 * L]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3 * L]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4 * L]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5 * L]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6 * L]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7 * L]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        }
        if (lo != Float.NEGATIVE_INFINITY) {
            FloatVector l = FloatVector.broadcast(S, lo);
            c00 = c00.blend(l, c00.lt(l)); c01 = c01.blend(l, c01.lt(l)); c10 = c10.blend(l, c10.lt(l)); c11 = c11.blend(l, c11.lt(l));
            c20 = c20.blend(l, c20.lt(l)); c21 = c21.blend(l, c21.lt(l)); c30 = c30.blend(l, c30.lt(l)); c31 = c31.blend(l, c31.lt(l));
            c40 = c40.blend(l, c40.lt(l)); c41 = c41.blend(l, c41.lt(l)); c50 = c50.blend(l, c50.lt(l)); c51 = c51.blend(l, c51.lt(l));
            c60 = c60.blend(l, c60.lt(l)); c61 = c61.blend(l, c61.lt(l)); c70 = c70.blend(l, c70.lt(l)); c71 = c71.blend(l, c71.lt(l));
        }
        if (hi != Float.POSITIVE_INFINITY) {
            FloatVector h = FloatVector.broadcast(S, hi);
            c00 = c00.blend(h, h.lt(c00)); c01 = c01.blend(h, h.lt(c01)); c10 = c10.blend(h, h.lt(c10)); c11 = c11.blend(h, h.lt(c11));
            c20 = c20.blend(h, h.lt(c20)); c21 = c21.blend(h, h.lt(c21)); c30 = c30.blend(h, h.lt(c30)); c31 = c31.blend(h, h.lt(c31));
            c40 = c40.blend(h, h.lt(c40)); c41 = c41.blend(h, h.lt(c41)); c50 = c50.blend(h, h.lt(c50)); c51 = c51.blend(h, h.lt(c51));
            c60 = c60.blend(h, h.lt(c60)); c61 = c61.blend(h, h.lt(c61)); c70 = c70.blend(h, h.lt(c70)); c71 = c71.blend(h, h.lt(c71));
        }
        int r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + c1, tail);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + c1, tail);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + c1, tail);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + c1, tail);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + c1, tail);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + c1, tail);
        c60.intoArray(c, r6); c61.intoArray(c, r6 + c1, tail);
        c70.intoArray(c, r7); c71.intoArray(c, r7 + c1, tail);
    }

    /**
     * {@link #blockedTile} reading its k range as four interleaved streams (each quarter of the channel
     * blocks in turn), for a panel's first pixel block, whose weights come from memory: one sequential
     * stream, which the L2 streamer follows only a few lines ahead within each 4 KB page, pays the memory
     * latency unhidden (ARCHITECTURE); four streams keep four times the lines in flight. A separate method
     * on purpose, as is {@link PixelTiles#packedStreamsTile}: one kernel with a streams flag (the single-stream tile
     * as its leftover loop) gave identical outputs but made MobileNetV2 1.12-1.40x slower alternating
     * in one JVM (three runs), C2 compiling the shared method worse for the common case.
     */
    static void blockedStreamsTile(int blocks, int bs, float[] a, int aOff, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] c, int cOff, int ldc, int c1, boolean accumulate) {
        FloatVector bias0 = FloatVector.fromArray(S, bias, j), bias1 = FloatVector.fromArray(S, bias, j + L);
        FloatVector c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
        FloatVector c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1, c60 = bias0, c61 = bias1, c70 = bias0, c71 = bias1;
        if (accumulate) {  // a later K chunk: the sums so far from c
            c00 = FloatVector.fromArray(S, c, cOff); c01 = FloatVector.fromArray(S, c, cOff + c1);
            c10 = FloatVector.fromArray(S, c, cOff + ldc); c11 = FloatVector.fromArray(S, c, cOff + ldc + c1);
            c20 = FloatVector.fromArray(S, c, cOff + 2 * ldc); c21 = FloatVector.fromArray(S, c, cOff + 2 * ldc + c1);
            c30 = FloatVector.fromArray(S, c, cOff + 3 * ldc); c31 = FloatVector.fromArray(S, c, cOff + 3 * ldc + c1);
            c40 = FloatVector.fromArray(S, c, cOff + 4 * ldc); c41 = FloatVector.fromArray(S, c, cOff + 4 * ldc + c1);
            c50 = FloatVector.fromArray(S, c, cOff + 5 * ldc); c51 = FloatVector.fromArray(S, c, cOff + 5 * ldc + c1);
            c60 = FloatVector.fromArray(S, c, cOff + 6 * ldc); c61 = FloatVector.fromArray(S, c, cOff + 6 * ldc + c1);
            c70 = FloatVector.fromArray(S, c, cOff + 7 * ldc); c71 = FloatVector.fromArray(S, c, cOff + 7 * ldc + c1);
        }
        int quarter = blocks / 4;
        for (int cb = 0; cb < quarter; cb++) {
        int ab0 = aOff + cb * bs, bb0 = bOff + cb * L * NR, ab1 = ab0 + quarter * bs, bb1 = bb0 + quarter * L * NR;
        int ab2 = ab1 + quarter * bs, bb2 = bb1 + quarter * L * NR, ab3 = ab2 + quarter * bs, bb3 = bb2 + quarter * L * NR;
        for (int q = 0; q < L; q++) {
            {
            int bi = bb0 + q * NR, ai = ab0 + q;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + L]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2 * L]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3 * L]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4 * L]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5 * L]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6 * L]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7 * L]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            }
            {
            int bi = bb1 + q * NR, ai = ab1 + q;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + L]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2 * L]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3 * L]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4 * L]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5 * L]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6 * L]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7 * L]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            }
            {
            int bi = bb2 + q * NR, ai = ab2 + q;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + L]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2 * L]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3 * L]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4 * L]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5 * L]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6 * L]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7 * L]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            }
            {
            int bi = bb3 + q * NR, ai = ab3 + q;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + L]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2 * L]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3 * L]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4 * L]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5 * L]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6 * L]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7 * L]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
            }
        }
        }
        for (int cb = 4 * quarter; cb < blocks; cb++) {
        int ab = aOff + cb * bs, bb = bOff + cb * L * NR;
        for (int q = 0; q < L; q++) {
            int bi = bb + q * NR, ai = ab + q;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + L]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2 * L]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3 * L]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4 * L]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5 * L]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6 * L]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7 * L]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        }
        if (lo != Float.NEGATIVE_INFINITY) {
            FloatVector l = FloatVector.broadcast(S, lo);
            c00 = c00.blend(l, c00.lt(l)); c01 = c01.blend(l, c01.lt(l)); c10 = c10.blend(l, c10.lt(l)); c11 = c11.blend(l, c11.lt(l));
            c20 = c20.blend(l, c20.lt(l)); c21 = c21.blend(l, c21.lt(l)); c30 = c30.blend(l, c30.lt(l)); c31 = c31.blend(l, c31.lt(l));
            c40 = c40.blend(l, c40.lt(l)); c41 = c41.blend(l, c41.lt(l)); c50 = c50.blend(l, c50.lt(l)); c51 = c51.blend(l, c51.lt(l));
            c60 = c60.blend(l, c60.lt(l)); c61 = c61.blend(l, c61.lt(l)); c70 = c70.blend(l, c70.lt(l)); c71 = c71.blend(l, c71.lt(l));
        }
        if (hi != Float.POSITIVE_INFINITY) {
            FloatVector h = FloatVector.broadcast(S, hi);
            c00 = c00.blend(h, h.lt(c00)); c01 = c01.blend(h, h.lt(c01)); c10 = c10.blend(h, h.lt(c10)); c11 = c11.blend(h, h.lt(c11));
            c20 = c20.blend(h, h.lt(c20)); c21 = c21.blend(h, h.lt(c21)); c30 = c30.blend(h, h.lt(c30)); c31 = c31.blend(h, h.lt(c31));
            c40 = c40.blend(h, h.lt(c40)); c41 = c41.blend(h, h.lt(c41)); c50 = c50.blend(h, h.lt(c50)); c51 = c51.blend(h, h.lt(c51));
            c60 = c60.blend(h, h.lt(c60)); c61 = c61.blend(h, h.lt(c61)); c70 = c70.blend(h, h.lt(c70)); c71 = c71.blend(h, h.lt(c71));
        }
        int r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, r6 = r5 + ldc, r7 = r6 + ldc;
        c00.intoArray(c, cOff); c01.intoArray(c, cOff + c1);
        c10.intoArray(c, r1); c11.intoArray(c, r1 + c1);
        c20.intoArray(c, r2); c21.intoArray(c, r2 + c1);
        c30.intoArray(c, r3); c31.intoArray(c, r3 + c1);
        c40.intoArray(c, r4); c41.intoArray(c, r4 + c1);
        c50.intoArray(c, r5); c51.intoArray(c, r5 + c1);
        c60.intoArray(c, r6); c61.intoArray(c, r6 + c1);
        c70.intoArray(c, r7); c71.intoArray(c, r7 + c1);
    }

    /** {@link PixelTiles#halfTile} over channel-blocked A. */
    static void blockedHalfTile(int blocks, int bs, float[] a, int aOff, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] c, int cOff, int ldc) {
        FloatVector c0 = FloatVector.fromArray(S, bias, j), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int cb = 0; cb < blocks; cb++) {
        int ab = aOff + cb * bs, bb = bOff + cb * L * NR;
        for (int q = 0; q < L; q++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bb + q * NR);
            int ai = ab + q;
            c0 = FloatVector.broadcast(S, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[ai + L]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[ai + 2 * L]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[ai + 3 * L]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[ai + 4 * L]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[ai + 5 * L]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a[ai + 6 * L]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a[ai + 7 * L]).fma(b0, c7);
        }
        }
        if (lo != Float.NEGATIVE_INFINITY) {
            FloatVector l = FloatVector.broadcast(S, lo);
            c0 = c0.blend(l, c0.lt(l)); c1 = c1.blend(l, c1.lt(l)); c2 = c2.blend(l, c2.lt(l)); c3 = c3.blend(l, c3.lt(l));
            c4 = c4.blend(l, c4.lt(l)); c5 = c5.blend(l, c5.lt(l)); c6 = c6.blend(l, c6.lt(l)); c7 = c7.blend(l, c7.lt(l));
        }
        if (hi != Float.POSITIVE_INFINITY) {
            FloatVector h = FloatVector.broadcast(S, hi);
            c0 = c0.blend(h, h.lt(c0)); c1 = c1.blend(h, h.lt(c1)); c2 = c2.blend(h, h.lt(c2)); c3 = c3.blend(h, h.lt(c3));
            c4 = c4.blend(h, h.lt(c4)); c5 = c5.blend(h, h.lt(c5)); c6 = c6.blend(h, h.lt(c6)); c7 = c7.blend(h, h.lt(c7));
        }
        c0.intoArray(c, cOff);
        c1.intoArray(c, cOff + ldc);
        c2.intoArray(c, cOff + 2 * ldc);
        c3.intoArray(c, cOff + 3 * ldc);
        c4.intoArray(c, cOff + 4 * ldc);
        c5.intoArray(c, cOff + 5 * ldc);
        c6.intoArray(c, cOff + 6 * ldc);
        c7.intoArray(c, cOff + 7 * ldc);
    }
}
