package dev.lathe.kernels;

import static dev.lathe.kernels.ChannelsLast.L;
import static dev.lathe.kernels.ChannelsLast.MR;
import static dev.lathe.kernels.ChannelsLast.NR;
import static dev.lathe.kernels.ChannelsLast.S;
import static dev.lathe.kernels.PixelGemm.PATCH;
import static dev.lathe.kernels.PixelGemm.SPILL;
import static dev.lathe.kernels.PixelGemm.matrixRows;
import static dev.lathe.kernels.PixelGemm.panel;
import static dev.lathe.kernels.PixelGemm.spillTile;

import dev.lathe.kernels.ChannelsLast.PackedConv;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The channels-last conv over kxk windows (every conv but a 1x1 stride-1 one and those that
 * {@link BlockedWindows} runs): output pixels whose windows lie inside the input read it in place as A,
 * the border's patches are gathered, both through {@link PixelGemm#panel}; a one-channel 3x3 conv has a
 * kernel of its own; a small map runs over a zero-bordered copy of its rows. Which of these a geometry
 * takes is {@link ChannelsLast#path}'s decision.
 */
final class WindowConv {
    private WindowConv() {}

    private static final Scratch PADDED = new Scratch();

    /**
     * Rows [r0, r1) of x [h, w, c] with a zero border ([h + 2ph, w + 2pw, c]) into per-thread scratch, row r0
     * first: the whole bordered copy, or a parallel part's own rows (its windows' rows).
     */
    static float[] padRows(ConvGeometry g, float[] x, int xOff, int r0, int r1) {
        int c = g.c(), h = g.h(), w = g.w(), ph = g.ph(), pw = g.pw(), pwide = (w + 2 * pw) * c;
        float[] p = PADDED.atLeast((r1 - r0) * pwide);
        for (int r = r0; r < r1; r++) {
            int row = (r - r0) * pwide, iy = r - ph;
            if (iy < 0 || iy >= h) {
                java.util.Arrays.fill(p, row, row + pwide, 0f);
                continue;
            }
            java.util.Arrays.fill(p, row, row + pw * c, 0f);
            System.arraycopy(x, xOff + iy * w * c, p, row + pw * c, w * c);
            java.util.Arrays.fill(p, row + (pw + w) * c, row + pwide, 0f);
        }
        return p;
    }

    /**
     * Output rows [from, to) of a one-channel 3x3 convolution over an input without padding (the
     * caller pads): per panel of NR output channels, four pixels at a time take nine broadcasts each
     * into eight accumulators, a window row's six weight vectors loaded once for the four. (All
     * eighteen held in registers made a method C1 cannot compile: it ran interpreted for seconds.) The
     * GEMM tile would run this as K = 9 (three 3-float window rows): measured 0.020 ms against
     * ONNX Runtime's 0.007 ms on the Fashion CNN's 28x28x32 conv1.
     */
    static void singleChannelRows(PackedConv pc, ConvGeometry g, float[] x, int xOff, float[] y, int yOff, float lo, float hi, int from, int to) {
        int w = g.w(), ow = g.ow(), o = g.o(), sh = g.sh(), sw = g.sw();
        float[] bp = pc.panels(), bias = pc.bias();
        FloatVector l = FloatVector.broadcast(S, lo), h = FloatVector.broadcast(S, hi);
        for (int j = 0; j < o; j += NR) {
            int nr = Math.min(NR, o - j);
            VectorMask<Float> m0 = S.indexInRange(0, nr), m1 = S.indexInRange(L, nr);
            FloatVector b0 = FloatVector.fromArray(S, bias, j), b1 = FloatVector.fromArray(S, bias, j + L);
            for (int oy = from; oy < to; oy++) {
                int r0 = xOff + oy * sh * w, yo = yOff + oy * ow * o + j, ox = 0;
                for (; ox + 4 <= ow; ox += 4) {
                    FloatVector a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
                    for (int u = 0, r = r0 + ox * sw, wu = j * 9; u < 3; u++, r += w, wu += 3 * NR) {
                        // one window row: its three taps' weights (L1-resident, two loads per four FMAs), four pixels
                        FloatVector wa0 = FloatVector.fromArray(S, bp, wu), wa1 = FloatVector.fromArray(S, bp, wu + L);
                        FloatVector wb0 = FloatVector.fromArray(S, bp, wu + NR), wb1 = FloatVector.fromArray(S, bp, wu + NR + L);
                        FloatVector wc0 = FloatVector.fromArray(S, bp, wu + 2 * NR), wc1 = FloatVector.fromArray(S, bp, wu + 2 * NR + L);
                        int q1 = r + sw, q2 = q1 + sw, q3 = q2 + sw;
                        FloatVector t = FloatVector.broadcast(S, x[r]); a00 = t.fma(wa0, a00); a01 = t.fma(wa1, a01);
                        t = FloatVector.broadcast(S, x[r + 1]); a00 = t.fma(wb0, a00); a01 = t.fma(wb1, a01);
                        t = FloatVector.broadcast(S, x[r + 2]); a00 = t.fma(wc0, a00); a01 = t.fma(wc1, a01);
                        t = FloatVector.broadcast(S, x[q1]); a10 = t.fma(wa0, a10); a11 = t.fma(wa1, a11);
                        t = FloatVector.broadcast(S, x[q1 + 1]); a10 = t.fma(wb0, a10); a11 = t.fma(wb1, a11);
                        t = FloatVector.broadcast(S, x[q1 + 2]); a10 = t.fma(wc0, a10); a11 = t.fma(wc1, a11);
                        t = FloatVector.broadcast(S, x[q2]); a20 = t.fma(wa0, a20); a21 = t.fma(wa1, a21);
                        t = FloatVector.broadcast(S, x[q2 + 1]); a20 = t.fma(wb0, a20); a21 = t.fma(wb1, a21);
                        t = FloatVector.broadcast(S, x[q2 + 2]); a20 = t.fma(wc0, a20); a21 = t.fma(wc1, a21);
                        t = FloatVector.broadcast(S, x[q3]); a30 = t.fma(wa0, a30); a31 = t.fma(wa1, a31);
                        t = FloatVector.broadcast(S, x[q3 + 1]); a30 = t.fma(wb0, a30); a31 = t.fma(wb1, a31);
                        t = FloatVector.broadcast(S, x[q3 + 2]); a30 = t.fma(wc0, a30); a31 = t.fma(wc1, a31);
                    }
                    int p = yo + ox * o;  // the clamp and stores written out: a helper taking the vectors would box them where not inlined
                    a00.blend(l, a00.lt(l)).blend(h, h.lt(a00)).intoArray(y, p, m0);
                    a01.blend(l, a01.lt(l)).blend(h, h.lt(a01)).intoArray(y, p + L, m1);
                    a10.blend(l, a10.lt(l)).blend(h, h.lt(a10)).intoArray(y, p + o, m0);
                    a11.blend(l, a11.lt(l)).blend(h, h.lt(a11)).intoArray(y, p + o + L, m1);
                    a20.blend(l, a20.lt(l)).blend(h, h.lt(a20)).intoArray(y, p + 2 * o, m0);
                    a21.blend(l, a21.lt(l)).blend(h, h.lt(a21)).intoArray(y, p + 2 * o + L, m1);
                    a30.blend(l, a30.lt(l)).blend(h, h.lt(a30)).intoArray(y, p + 3 * o, m0);
                    a31.blend(l, a31.lt(l)).blend(h, h.lt(a31)).intoArray(y, p + 3 * o + L, m1);
                }
                for (; ox < ow; ox++) {
                    FloatVector a0 = b0, a1 = b1;
                    for (int u = 0, r = r0 + ox * sw, wu = j * 9; u < 3; u++, r += w, wu += 3 * NR) {
                        for (int v = 0; v < 3; v++) {
                            FloatVector t = FloatVector.broadcast(S, x[r + v]);
                            a0 = t.fma(FloatVector.fromArray(S, bp, wu + v * NR), a0);
                            a1 = t.fma(FloatVector.fromArray(S, bp, wu + v * NR + L), a1);
                        }
                    }
                    a0.blend(l, a0.lt(l)).blend(h, h.lt(a0)).intoArray(y, yo + ox * o, m0);
                    a1.blend(l, a1.lt(l)).blend(h, h.lt(a1)).intoArray(y, yo + ox * o + L, m1);
                }
            }
        }
    }

    private static final ThreadLocal<int[]> PENDING = ThreadLocal.withInitial(() -> new int[MR]), INSIDE = ThreadLocal.withInitial(() -> new int[MR]);
    private static final ThreadLocal<int[]> WINDOWS = ThreadLocal.withInitial(() -> new int[MR]);

    /**
     * Output rows [from, to) of a kxk convolution. Pixels whose windows lie inside the input read it
     * in place, MR at a time — row i of A is pixel i's window, kh runs of kw*c floats, so nothing is
     * copied — even across output rows (a 14-wide map has 12 inside pixels a row: blocks of 8 would
     * leave a third to gathering). The other pixels (the border) are gathered MR at a time into
     * patches, computed into a spill tile and copied to their places. MobileNetV2's 3-channel stem
     * spent two thirds of its time gathering 27-float patches.
     */
    static void windowRows(PackedConv pc, ConvGeometry g, float[] x, int xOff, float[] y, int yOff, float lo, float hi, int from, int to) {
        int w = g.w(), ow = g.ow(), kw = g.kw(), sw = g.sw(), pw = g.pw();
        int[] pending = PENDING.get(), inside = INSIDE.get();
        int n = 0, m = 0;
        int last = w - kw + pw;  // the largest ox * sw with the window's last column inside
        int oxLo = Math.min(ow, (pw + sw - 1) / sw), oxHi = last < 0 ? 0 : Math.min(ow, last / sw + 1);
        boolean direct = !Kernels.SCALAR && g.dw() == 1;
        for (int oy = from; oy < to; oy++) {
            int iy0 = oy * g.sh() - g.ph();
            boolean rowsInside = direct && iy0 >= 0 && iy0 + (g.kh() - 1) * g.dh() < g.h();
            for (int ox = 0; ox < ow; ox++) {
                int p = oy * ow + ox;
                if (rowsInside && ox >= oxLo && ox < oxHi) {
                    inside[m++] = p;
                    if (m == MR) m = inPlace(pc, g, x, xOff, y, yOff, lo, hi, inside);
                } else {
                    n = pend(pc, g, x, xOff, y, yOff, lo, hi, pending, n, p);
                }
            }
        }
        for (int i = 0; i < m; i++) n = pend(pc, g, x, xOff, y, yOff, lo, hi, pending, n, inside[i]);  // a short last run: gathered
        if (n > 0) flush(pc, g, x, xOff, y, yOff, lo, hi, pending, n);
    }

    /** MR pixels with inside windows, read in place; consecutive pixels store straight into y, others through the spill tile. Returns 0. */
    private static int inPlace(PackedConv pc, ConvGeometry g, float[] x, int xOff, float[] y, int yOff, float lo, float hi, int[] pixels) {
        int c = g.c(), w = g.w(), ow = g.ow(), o = g.o(), run = g.kw() * c, segStride = g.dh() * w * c;
        int[] rows = WINDOWS.get();
        for (int i = 0; i < MR; i++) {
            int oy = pixels[i] / ow, ox = pixels[i] % ow;
            rows[i] = xOff + ((oy * g.sh() - g.ph()) * w + ox * g.sw() - g.pw()) * c;
        }
        if (pixels[MR - 1] - pixels[0] == MR - 1) {
            for (int j = 0; j < o; j += NR) panel(pc, false, x, 0, rows, g.kh(), run, segStride, MR, y, yOff + pixels[0] * o, o, L, lo, hi, j);
            return 0;
        }
        float[] spill = SPILL.atLeast(MR * NR);
        for (int j = 0; j < o; j += NR) {
            spillTile(pc, false, x, 0, rows, g.kh(), run, segStride, j, lo, hi, spill);
            int nr = Math.min(NR, o - j);
            for (int i = 0; i < MR; i++) System.arraycopy(spill, i * NR, y, yOff + pixels[i] * o + j, nr);
        }
        return 0;
    }

    /** Queues pixel p for gathering; a full queue is computed. Returns the new queue length. */
    private static int pend(PackedConv pc, ConvGeometry g, float[] x, int xOff, float[] y, int yOff, float lo, float hi, int[] pending, int n, int p) {
        pending[n++] = p;
        if (n < MR) return n;
        flush(pc, g, x, xOff, y, yOff, lo, hi, pending, n);
        return 0;
    }

    /** The queued pixels' patches gathered, each panel's tile computed into the spill tile and its rows copied to their pixels. */
    private static void flush(PackedConv pc, ConvGeometry g, float[] x, int xOff, float[] y, int yOff, float lo, float hi, int[] pending, int n) {
        int k = pc.k(), o = g.o();
        float[] patch = PATCH.atLeast(MR * k), spill = SPILL.atLeast(MR * NR);
        for (int i = 0; i < n; i++) gatherPixel(g, x, xOff, pending[i] / g.ow(), pending[i] % g.ow(), patch, i * k);
        java.util.Arrays.fill(patch, n * k, MR * k, 0f);
        for (int j = 0; j < o; j += NR) {
            spillTile(pc, false, patch, 0, matrixRows(0, k), 1, k, 0, j, lo, hi, spill);
            int nr = Math.min(NR, o - j);
            for (int i = 0; i < n; i++) System.arraycopy(spill, i * NR, y, yOff + pending[i] * o + j, nr);
        }
    }

    /**
     * The patch of output pixel (oy, ox) at dst[d]: K = kh*kw*c floats, taps outside the input as
     * zeros. Where the window's columns are all inside, each tap row is one contiguous run of kw*c
     * floats (channels-last).
     */
    static void gatherPixel(ConvGeometry g, float[] x, int xOff, int oy, int ox, float[] dst, int d0) {
        int c = g.c(), h = g.h(), w = g.w(), kh = g.kh(), kw = g.kw(), run = kw * c;
        int iy0 = oy * g.sh() - g.ph(), ix0 = ox * g.sw() - g.pw();
        boolean colsInside = g.dw() == 1 && ix0 >= 0 && ix0 + kw <= w;
        for (int u = 0; u < kh; u++) {
            int iy = iy0 + u * g.dh(), d = d0 + u * run;
            if (iy < 0 || iy >= h) {
                java.util.Arrays.fill(dst, d, d + run, 0f);
            } else if (colsInside) {
                copy(x, xOff + (iy * w + ix0) * c, dst, d, run);
            } else {
                for (int v = 0; v < kw; v++) {
                    int ix = ix0 + v * g.dw();
                    if (ix < 0 || ix >= w) java.util.Arrays.fill(dst, d + v * c, d + (v + 1) * c, 0f);
                    else copy(x, xOff + (iy * w + ix) * c, dst, d + v * c, c);
                }
            }
        }
    }

    /** A copy of n floats; a few (an RGB stem's 3x3 window row is 9) as a loop, which costs less than the call. */
    private static void copy(float[] src, int s, float[] dst, int d, int n) {
        if (n >= 16) {
            System.arraycopy(src, s, dst, d, n);
            return;
        }
        for (int q = 0; q < n; q++) dst[d + q] = src[s + q];
    }
}
