package dev.lathe.kernels;

import static dev.lathe.kernels.ChannelsLast.L;
import static dev.lathe.kernels.ChannelsLast.MR;
import static dev.lathe.kernels.ChannelsLast.NR;
import static dev.lathe.kernels.ChannelsLast.S;

import jdk.incubator.vector.FloatVector;

/**
 * A kxk stride-1 convolution over a padded, channel-blocked copy of its input rows ([cb][row][column][L]):
 * the windows of consecutive pixels in an output row then start L floats apart, so a tile reads its
 * pixels at fixed offsets from one index, as the fused blocks' 1x1 tiles do, where windows read in place
 * from the channels-last rows are eight row streams (~8 cycles a k step against ~5, see
 * docs/ARCHITECTURE.md). Pairs of full weight panels go through the 6 x 4 tile ({@link PanelPairs}).
 * The Fashion CNN's conv2 (32 -> 64, 3x3 on 14x14) is the case this was built for.
 */
final class BlockedWindows {
    private BlockedWindows() {}

    private static final Scratch COPY = new Scratch(), SPILL = new Scratch();
    /** Each geometry's K offsets ({@link #offsets}), made once: a lookup allocates nothing. */
    private static final java.util.concurrent.ConcurrentHashMap<ConvGeometry, int[]> OFFSETS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Floats between channel blocks of the copy: every padded row of the image (a part uses its first rows), and room for an edge tile's reads past the last. */
    private static int blockStride(ConvGeometry g) { return (g.oh() + g.kh() - 1) * (g.w() + 2 * g.pw()) * L + (MR + g.kw()) * L; }

    /**
     * A's offset for each L-channel step of K (tap (u, v), then channel block), in the weights' K order: one
     * table lookup a step keeps the tile one loop deep (tap and block loops nested in the tile, with the
     * tap's row from a division or two more loop levels, measured 1.2-1.6x slower than the old kernel).
     */
    private static int[] offsets(ConvGeometry g) {
        int blocks = g.c() / L, rowStep = (g.w() + 2 * g.pw()) * L, bs = blockStride(g);
        int[] off = new int[g.kh() * g.kw() * blocks];
        for (int u = 0, t = 0; u < g.kh(); u++) for (int v = 0; v < g.kw(); v++) for (int cb = 0; cb < blocks; cb++) off[t++] = u * rowStep + v * L + cb * bs;
        return off;
    }

    /** Whether conv runs this geometry here: stride 1, undilated, input channels a multiple of L, output rows at least MR wide, AVX-512. */
    static boolean fits(ConvGeometry g) {
        return PanelPairs.ENABLED && g.groups() == 1 && g.sh() == 1 && g.sw() == 1 && g.dh() == 1 && g.dw() == 1 && g.c() % L == 0
                && g.kh() * g.kw() > 1 && g.ow() >= MR && !g.ceil();
    }

    /** Output rows [from, to) of y [oh, ow, o] at yOff = activation(conv(x [h, w, c] at xOff)). */
    static void rows(ChannelsLast.PackedConv pc, float[] x, int xOff, float[] y, int yOff, float lo, float hi, int from, int to) {
        ConvGeometry g = pc.g();
        int c = g.c(), blocks = c / L, kh = g.kh(), kw = g.kw(), ow = g.ow(), o = g.o(), k = pc.k();
        int rowStep = (g.w() + 2 * g.pw()) * L, n = to - from + kh - 1, bs = blockStride(g);
        float[] a = COPY.atLeast(blocks * bs);
        int[] off = OFFSETS.computeIfAbsent(g, BlockedWindows::offsets);
        copyRows(g, x, xOff, a, from, n, bs);
        float[] bp = pc.panels(), bias = pc.bias(), spill = SPILL.atLeast(MR * NR);
        int sixes = PanelPairs.sixesEnd(ow), end = PanelPairs.tilesEnd(ow), pairsEnd = PanelPairs.pairsEnd(0, o, o, ow);
        for (int oy = from; oy < to; oy++) {
            int ar = (oy - from) * rowStep, yr = yOff + oy * ow * o;
            for (int j = 0; j < pairsEnd; j += 2 * NR) {
                for (int ox = 0; ox < end; ) {
                    int ai = ar + ox * L, yi = yr + ox * o + j;
                    if (ox < sixes) {
                        pairTile(off, a, ai, bp, j * k, (j + NR) * k, bias, j, lo, hi, y, yi, o, L);
                        ox += PanelPairs.PR;
                    } else {
                        tile(off, a, ai, bp, j * k, bias, j, lo, hi, y, yi, o, L);
                        tile(off, a, ai, bp, (j + NR) * k, bias, j + NR, lo, hi, y, yi + NR, o, L);
                        ox += MR;
                    }
                }
                for (int p = j; p < j + 2 * NR && end < ow; p += NR) edge(off, a, ar + end * L, bp, p * k, bias, p, lo, hi, spill, y, yr + end * o + p, o, ow - end, NR);
            }
            for (int j = pairsEnd; j < o; j += NR) {
                int nr = Math.min(NR, o - j);
                for (int ox = 0; ox < ow; ox += MR) {
                    int ai = ar + ox * L, yi = yr + ox * o + j;
                    if (ox + MR <= ow && nr == NR) tile(off, a, ai, bp, j * k, bias, j, lo, hi, y, yi, o, L);
                    else edge(off, a, ai, bp, j * k, bias, j, lo, hi, spill, y, yi, o, Math.min(MR, ow - ox), nr);
                }
            }
        }
    }

    /** mr < MR pixels or nr < NR channels: the full tile into spill (its extra pixels read the padding or the next row), then the part that exists. */
    private static void edge(int[] off, float[] a, int ai, float[] bp, int bOff, float[] bias, int j, float lo, float hi,
                             float[] spill, float[] y, int yi, int o, int mr, int nr) {
        tile(off, a, ai, bp, bOff, bias, j, lo, hi, spill, 0, NR, L);
        for (int i = 0; i < mr; i++) System.arraycopy(spill, i * NR, y, yi + i * o, nr);
    }

    /**
     * Padded rows [r0, r0 + n) (input rows r - ph) of x into a, channel-blocked with blocks bs apart, the border
     * zero; each float written once, as WindowConv.padRows does channels-last. What lies past row n is left as
     * it was: only an edge tile's dropped pixels read it.
     */
    private static void copyRows(ConvGeometry g, float[] x, int xOff, float[] a, int r0, int n, int bs) {
        int c = g.c(), w = g.w(), h = g.h(), pw = g.pw(), rowLen = (w + 2 * pw) * L, blocks = c / L;
        for (int r = 0; r < n; r++) {
            int iy = r0 + r - g.ph();
            for (int cb = 0; cb < blocks; cb++) {
                int row = cb * bs + r * rowLen;
                if (iy < 0 || iy >= h) {
                    java.util.Arrays.fill(a, row, row + rowLen, 0f);
                    continue;
                }
                java.util.Arrays.fill(a, row, row + pw * L, 0f);
                int src = xOff + iy * w * c + cb * L, dst = row + pw * L;
                for (int ix = 0; ix < w; ix++) FloatVector.fromArray(S, x, src + ix * c).intoArray(a, dst + ix * L);
                java.util.Arrays.fill(a, dst + w * L, row + rowLen, 0f);
            }
        }
    }

    /** BlockedTiles.blockedTile over the windows of 8 pixels: K step t * L + q of pixel i at a[aOff + off[t] + i * L + q] ({@link #offsets}). */
    static void tile(int[] off, float[] a, int aOff, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] c, int cOff, int ldc, int c1) {
        FloatVector bias0 = FloatVector.fromArray(S, bias, j), bias1 = FloatVector.fromArray(S, bias, j + L);
        FloatVector c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
        FloatVector c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1, c60 = bias0, c61 = bias1, c70 = bias0, c71 = bias1;
        for (int tap = 0; tap < off.length; tap++) {
        int ab = aOff + off[tap], bb = bOff + tap * L * NR;
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

    /** PanelPairs.tile over the kh x kw taps of 6 windows, as {@link #tile}. */
    static void pairTile(int[] off, float[] a, int aOff, float[] bp, int b0Off, int b1Off, float[] bias, int j, float lo, float hi,
                         float[] c, int cOff, int ldc, int c1) {
        int r1 = cOff + ldc, r2 = r1 + ldc, r3 = r2 + ldc, r4 = r3 + ldc, r5 = r4 + ldc, v2 = 2 * c1, v3 = 3 * c1;
        FloatVector e0 = FloatVector.fromArray(S, bias, j), e1 = FloatVector.fromArray(S, bias, j + L);
        FloatVector e2 = FloatVector.fromArray(S, bias, j + 2 * L), e3 = FloatVector.fromArray(S, bias, j + 3 * L);
        FloatVector c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33, c40, c41, c42, c43, c50, c51, c52, c53;
        c00 = e0; c01 = e1; c02 = e2; c03 = e3; c10 = e0; c11 = e1; c12 = e2; c13 = e3; c20 = e0; c21 = e1; c22 = e2; c23 = e3;
        c30 = e0; c31 = e1; c32 = e2; c33 = e3; c40 = e0; c41 = e1; c42 = e2; c43 = e3; c50 = e0; c51 = e1; c52 = e2; c53 = e3;
        for (int tap = 0; tap < off.length; tap++) {
        int ab = aOff + off[tap], bb0 = b0Off + tap * L * NR, bb1 = b1Off + tap * L * NR;
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
