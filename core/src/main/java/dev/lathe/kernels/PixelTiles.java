package dev.lathe.kernels;

import static dev.lathe.kernels.ChannelsLast.L;
import static dev.lathe.kernels.ChannelsLast.MR;
import static dev.lathe.kernels.ChannelsLast.NR;
import static dev.lathe.kernels.ChannelsLast.S;

import jdk.incubator.vector.FloatVector;

/**
 * The register tiles of {@link PixelGemm}: MR pixel rows of A times one NR-wide weight panel (or one
 * vector of it: the half tiles), accumulators started at the bias, clamped and stored once. A is read
 * in place (row i made of segs runs at rows[i]), or packed k-major in MR-row panels; the packed first
 * block of a panel reads its k range as four streams. {@link #tileScalar} is the scalar twin.
 */
final class PixelTiles {
    private PixelTiles() {}

    /**
     * The micro-kernel: 8 pixel rows of A (row i at a[aOff + i*k], read in place) times one NR-wide
     * panel of B, accumulators started at the bias, clamped to [lo, hi], stored once. Outer-product
     * form as {@link Gemm#fullTile}: per k step two vector loads of B and eight broadcasts of A feed
     * sixteen FMAs. One method over locals, so nothing is boxed.
     */
    static void tile(int segs, int run, int segStride, float[] a, int[] rows, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] c, int cOff, int ldc, int c1) {
        FloatVector bias0 = FloatVector.fromArray(S, bias, j), bias1 = FloatVector.fromArray(S, bias, j + L);
        FloatVector c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
        FloatVector c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1, c60 = bias0, c61 = bias1, c70 = bias0, c71 = bias1;
        for (int sg = 0; sg < segs; sg++) {
        int sk = sg * segStride, a0 = rows[0] + sk, a1 = rows[1] + sk, a2 = rows[2] + sk, a3 = rows[3] + sk, a4 = rows[4] + sk, a5 = rows[5] + sk, a6 = rows[6] + sk, a7 = rows[7] + sk, bs = bOff + sg * run * NR;
        for (int p = 0; p < run; p++) {
            int bi = bs + p * NR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + p]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + p]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + p]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + p]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + p]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + p]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[a6 + p]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[a7 + p]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        }
        // Java's max/min (NaN and -0 rules) take about five instructions a vector here; a compare and
        // a blend take two, and only the bounds the activation has are applied
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
     * The same over one vector of columns: a last panel of at most L outputs (MobileNetV2's 16- and
     * 24-channel projections would otherwise spend half or a quarter of the full tile's FMAs on padding).
     */
    static void halfTile(int segs, int run, int segStride, float[] a, int[] rows, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] c, int cOff, int ldc) {
        FloatVector c0 = FloatVector.fromArray(S, bias, j), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int sg = 0; sg < segs; sg++) {
        int sk = sg * segStride, a0 = rows[0] + sk, a1 = rows[1] + sk, a2 = rows[2] + sk, a3 = rows[3] + sk, a4 = rows[4] + sk, a5 = rows[5] + sk, a6 = rows[6] + sk, a7 = rows[7] + sk, bs = bOff + sg * run * NR;
        for (int p = 0; p < run; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bs + p * NR);
            c0 = FloatVector.broadcast(S, a[a0 + p]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[a1 + p]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[a2 + p]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[a3 + p]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[a4 + p]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[a5 + p]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a[a6 + p]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a[a7 + p]).fma(b0, c7);
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

    /*
     * The packed variants repeat the in-place kernels but for how A is indexed. They stay separate
     * methods on purpose: a shared clamp-and-store helper would take the sixteen accumulators as
     * arguments, and a vector passed to a call C2 does not inline is boxed on the heap (seen here:
     * 24 KB a call from one such path); one kernel with a run-time A stride was not tried, since C2
     * hoists bounds checks only for constant strides.
     */

    /**
     * {@link #tile} over A packed k-major in MR-row panels (a[aOff + p*MR + i]), as {@link Gemm}'s
     * micro-kernel reads it: one pointer instead of eight row streams. Measured at K = 96 and 320:
     * 74 and 78 GMAC/s against 60 and 63 reading the rows in place; at K = 16..32 the packing costs
     * more than it saves. {@link ChannelsLast#PACK_MIN_K}.
     */
    static void packedTile(int k, float[] a, int aOff, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] c, int cOff, int ldc, int c1) {
        FloatVector bias0 = FloatVector.fromArray(S, bias, j), bias1 = FloatVector.fromArray(S, bias, j + L);
        FloatVector c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
        FloatVector c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1, c60 = bias0, c61 = bias1, c70 = bias0, c71 = bias1;
        for (int p = 0; p < k; p++) {
            int bi = bOff + p * NR, ai = aOff + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        // Java's max/min (NaN and -0 rules) take about five instructions a vector here; a compare and
        // a blend take two, and only the bounds the activation has are applied
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
     * {@link #packedTile} reading its k range as four interleaved streams (k, k + K/4, k + K/2, k + 3K/4,
     * then k + 1, ...) for a panel's first pixel block: {@link BlockedTiles#blockedStreamsTile}'s reason. One k step an
     * iteration: four k steps an iteration (as blockedStreamsTile) made C2 hoist all 32 broadcasts and keep
     * the accumulators on the stack, 41 GMAC/s in L1 against 60-63 now and 75 for packedTile (ARCHITECTURE).
     */
    static void packedStreamsTile(int k, float[] a, int aOff, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] c, int cOff, int ldc, int c1) {
        FloatVector bias0 = FloatVector.fromArray(S, bias, j), bias1 = FloatVector.fromArray(S, bias, j + L);
        FloatVector c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
        FloatVector c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1, c60 = bias0, c61 = bias1, c70 = bias0, c71 = bias1;
        int quarter = k / 4, streams = 4 * quarter;
        for (int p = 0; p < k; p++) {
            int kk = p < streams ? (p & 3) * quarter + (p >> 2) : p;
            int bi = bOff + kk * NR, ai = aOff + kk * MR;
            FloatVector b0 = FloatVector.fromArray(S, bp, bi), b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector x = FloatVector.broadcast(S, a[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[ai + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[ai + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[ai + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[ai + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[ai + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, a[ai + 6]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, a[ai + 7]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        // Java's max/min (NaN and -0 rules) take about five instructions a vector here; a compare and
        // a blend take two, and only the bounds the activation has are applied
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

    /** {@link #halfTile} over packed A. */
    static void packedHalfTile(int k, float[] a, int aOff, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] c, int cOff, int ldc) {
        FloatVector c0 = FloatVector.fromArray(S, bias, j), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0, c6 = c0, c7 = c0;
        for (int p = 0; p < k; p++) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bOff + p * NR);
            int ai = aOff + p * MR;
            c0 = FloatVector.broadcast(S, a[ai]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a[ai + 1]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a[ai + 2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a[ai + 3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a[ai + 4]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a[ai + 5]).fma(b0, c5);
            c6 = FloatVector.broadcast(S, a[ai + 6]).fma(b0, c6);
            c7 = FloatVector.broadcast(S, a[ai + 7]).fma(b0, c7);
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


    /** The scalar twin of {@link #tile}: the full MR x NR tile into dst (row length NR). */
    static void tileScalar(int k, float[] a, int aOff, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] dst) {
        for (int i = 0; i < MR; i++) {
            for (int q = 0; q < NR; q++) {
                float s = bias[j + q];
                for (int p = 0; p < k; p++) s = Math.fma(a[aOff + i * k + p], bp[bOff + p * NR + q], s);
                dst[i * NR + q] = Math.min(Math.max(s, lo), hi);
            }
        }
    }
}
