package dev.lathe.kernels;

import static dev.lathe.kernels.ChannelsLast.L;
import static dev.lathe.kernels.ChannelsLast.PARALLEL_MIN_STREAM;
import static dev.lathe.kernels.ChannelsLast.S;
import static dev.lathe.kernels.ChannelsLast.high;
import static dev.lathe.kernels.ChannelsLast.low;

import jdk.incubator.vector.FloatVector;

/**
 * Depthwise convolution over channels-last activations, one vector of channels at a time (they are
 * contiguous here), with a scalar channel tail: the layer kernel ({@link ChannelsLast#depthwise}), and the
 * 3x3 runs, rows and pixels a fused block ({@link InvertedResidual}) calls on its channels-last or
 * channel-blocked rows.
 */
final class ChannelsLastDepthwise {
    private ChannelsLastDepthwise() {}

    /** Depthwise weights [c, 1, kh, kw] reordered tap-major ([kh*kw, c]): one vector of channels per tap. */
    static float[] packDepthwise(ConvGeometry g, float[] w) {
        int c = g.c(), kk = g.kh() * g.kw();
        if (!g.isDepthwise() || w.length != c * kk) throw new IllegalArgumentException("channels-last depthwise: expected " + c + "x" + kk + " weights of a depthwise conv, got " + w.length);
        float[] t = new float[kk * c];
        for (int ch = 0; ch < c; ch++) for (int q = 0; q < kk; q++) t[q * c + ch] = w[ch * kk + q];
        return t;
    }

    /** Depthwise conv, batch 1, channels-last: y[oh, ow, c] = activation(sum over taps x * w + b); b may be null. */
    static void depthwise(ConvGeometry g, float[] x, int xOff, float[] wt, float[] b, float[] y, int yOff, int activation) {
        float lo = low(activation), hi = high(activation);
        long perRow = (long) g.ow() * g.c() * g.kh() * g.kw();
        if (!Parallel.worthSplitting(g.oh(), perRow, PARALLEL_MIN_STREAM)) {
            for (int oy = 0; oy < g.oh(); oy++) depthwiseRow(g, x, xOff, wt, b, y, yOff, lo, hi, oy);
            return;
        }
        Parallel.forRange(g.oh(), perRow, PARALLEL_MIN_STREAM, (from, to) -> { for (int oy = from; oy < to; oy++) depthwiseRow(g, x, xOff, wt, b, y, yOff, lo, hi, oy); });
    }

    /**
     * One output row. A 3x3 undilated window whose three rows are inside runs its interior pixels
     * (all nine taps inside) channel vector by channel vector with the nine weights held in
     * registers: ten loads per nine FMAs, against nineteen and loop bookkeeping per tap in the
     * general form, which the rest of the row takes.
     */
    private static void depthwiseRow(ConvGeometry g, float[] x, int xOff, float[] wt, float[] b, float[] y, int yOff, float lo, float hi, int oy) {
        int iy0 = oy * g.sh() - g.ph(), w = g.w(), ow = g.ow();
        boolean fast = !Kernels.SCALAR && g.kh() == 3 && g.kw() == 3 && g.dh() == 1 && g.dw() == 1 && iy0 >= 0 && iy0 + 3 <= g.h();
        if (!fast) {
            for (int ox = 0; ox < ow; ox++) depthwisePixel(g, x, xOff, wt, b, y, yOff, lo, hi, oy, ox);
            return;
        }
        int sw = g.sw(), pw = g.pw();
        int oxLo = Math.min(ow, (pw + sw - 1) / sw), oxHi = Math.max(oxLo, Math.min(ow, w - 3 + pw < 0 ? 0 : (w - 3 + pw) / sw + 1));
        for (int ox = 0; ox < oxLo; ox++) depthwisePixel(g, x, xOff, wt, b, y, yOff, lo, hi, oy, ox);
        int c = g.c(), vecEnd = S.loopBound(c);
        for (int ch = 0; ch < vecEnd; ch += L) {
            int r0 = xOff + (iy0 * w + oxLo * sw - pw) * c + ch;
            depthwise3x3Run(x, r0, r0 + w * c, r0 + 2 * w * c, sw * c, c, wt, ch, b, lo, hi, y, yOff + (oy * ow + oxLo) * c + ch, c, oxHi - oxLo);
        }
        if (vecEnd < c) {
            for (int ox = oxLo; ox < oxHi; ox++) depthwisePixel(g, x, xOff, wt, b, y, yOff, lo, hi, oy, ox, vecEnd);
        }
        for (int ox = oxHi; ox < ow; ox++) depthwisePixel(g, x, xOff, wt, b, y, yOff, lo, hi, oy, ox);
    }

    /**
     * n outputs along a row for one vector of channels: the first window's three rows start at
     * x[r0], x[r1], x[r2] (any rows: a fused block keeps them in a ring), the next window step
     * floats on, outputs yStep apart (c channels-last, L channel-blocked).
     */
    static void depthwise3x3Run(float[] x, int r0, int r1, int r2, int step, int c, float[] wt, int ch, float[] b, float lo, float hi, float[] y, int yi, int yStep, int n) {
        depthwise3x3Run(x, r0, r1, r2, step, c, wt, c, ch, b, lo, hi, y, yi, yStep, n);
    }

    /** The same with taps c apart in x and weight rows wc apart in wt (a channel-blocked x has c = L). */
    static void depthwise3x3Run(float[] x, int r0, int r1, int r2, int step, int c, float[] wt, int wc, int ch, float[] b, float lo, float hi, float[] y, int yi, int yStep, int n) {
        FloatVector w0 = FloatVector.fromArray(S, wt, ch), w1 = FloatVector.fromArray(S, wt, wc + ch), w2 = FloatVector.fromArray(S, wt, 2 * wc + ch);
        FloatVector w3 = FloatVector.fromArray(S, wt, 3 * wc + ch), w4 = FloatVector.fromArray(S, wt, 4 * wc + ch), w5 = FloatVector.fromArray(S, wt, 5 * wc + ch);
        FloatVector w6 = FloatVector.fromArray(S, wt, 6 * wc + ch), w7 = FloatVector.fromArray(S, wt, 7 * wc + ch), w8 = FloatVector.fromArray(S, wt, 8 * wc + ch);
        FloatVector bias = b == null ? FloatVector.zero(S) : FloatVector.fromArray(S, b, ch);
        FloatVector l = FloatVector.broadcast(S, lo), h = FloatVector.broadcast(S, hi);
        int j = 0;
        // stride 1: two outputs a pass from four shared columns, 12 loads for two instead of 18 (MobileNetV2's first
        // block, whose depthwise reads its channels-last input in place: 0.91-0.95x alternating in one JVM)
        if (step == c) {
            for (; j + 1 < n; j += 2, r0 += 2 * c, r1 += 2 * c, r2 += 2 * c, yi += 2 * yStep) {
                FloatVector p0 = FloatVector.fromArray(S, x, r0), p1 = FloatVector.fromArray(S, x, r0 + c), p2 = FloatVector.fromArray(S, x, r0 + 2 * c), p3 = FloatVector.fromArray(S, x, r0 + 3 * c);
                FloatVector a = p0.fma(w0, bias), e = p1.fma(w0, bias);
                a = p1.fma(w1, a); e = p2.fma(w1, e);
                a = p2.fma(w2, a); e = p3.fma(w2, e);
                p0 = FloatVector.fromArray(S, x, r1); p1 = FloatVector.fromArray(S, x, r1 + c); p2 = FloatVector.fromArray(S, x, r1 + 2 * c); p3 = FloatVector.fromArray(S, x, r1 + 3 * c);
                a = p0.fma(w3, a); e = p1.fma(w3, e);
                a = p1.fma(w4, a); e = p2.fma(w4, e);
                a = p2.fma(w5, a); e = p3.fma(w5, e);
                p0 = FloatVector.fromArray(S, x, r2); p1 = FloatVector.fromArray(S, x, r2 + c); p2 = FloatVector.fromArray(S, x, r2 + 2 * c); p3 = FloatVector.fromArray(S, x, r2 + 3 * c);
                a = p0.fma(w6, a); e = p1.fma(w6, e);
                a = p1.fma(w7, a); e = p2.fma(w7, e);
                a = p2.fma(w8, a); e = p3.fma(w8, e);
                a.blend(l, a.lt(l)).blend(h, h.lt(a)).intoArray(y, yi);
                e.blend(l, e.lt(l)).blend(h, h.lt(e)).intoArray(y, yi + yStep);
            }
        }
        for (; j < n; j++, r0 += step, r1 += step, r2 += step, yi += yStep) {
            FloatVector acc = FloatVector.fromArray(S, x, r0).fma(w0, bias);
            acc = FloatVector.fromArray(S, x, r0 + c).fma(w1, acc);
            acc = FloatVector.fromArray(S, x, r0 + 2 * c).fma(w2, acc);
            acc = FloatVector.fromArray(S, x, r1).fma(w3, acc);
            acc = FloatVector.fromArray(S, x, r1 + c).fma(w4, acc);
            acc = FloatVector.fromArray(S, x, r1 + 2 * c).fma(w5, acc);
            acc = FloatVector.fromArray(S, x, r2).fma(w6, acc);
            acc = FloatVector.fromArray(S, x, r2 + c).fma(w7, acc);
            acc = FloatVector.fromArray(S, x, r2 + 2 * c).fma(w8, acc);
            acc.blend(l, acc.lt(l)).blend(h, h.lt(acc)).intoArray(y, yi);
        }
    }

    /**
     * One whole output row (ow pixels, padding 1) of a 3x3 depthwise conv over one channel-blocked plane
     * (a fused block's expanded rows, L channels a pixel), channels [ch, ch + L): the input rows start
     * (column 0) at x[r0], x[r1], x[r2], outputs L apart from y[yo]; weight rows wc apart. The interior
     * is depthwise3x3Run's loop; the border pixels, whose windows hang over the padding, are done here
     * with the weights already in registers (alone, per pixel, they cost ~4x an interior one: 6.5% of a
     * 28x28 block's samples, a 7x7 row has 2 of 7). In the interior every index is the loop counter
     * times a constant plus an invariant, which C2 range-checks once before the loop (channels-last,
     * the step is the channel count, and each load kept its check); stride 1 computes two outputs a pass
     * from four shared columns, in two accumulator chains each. Needs w >= 2.
     */
    static void depthwise3x3RowBlocked(float[] x, int r0, int r1, int r2, int stride, int w, int ow, float[] wt, int wc, int ch, float[] b, float lo, float hi, float[] y, int yo) {
        FloatVector w0 = FloatVector.fromArray(S, wt, ch), w1 = FloatVector.fromArray(S, wt, wc + ch), w2 = FloatVector.fromArray(S, wt, 2 * wc + ch);
        FloatVector w3 = FloatVector.fromArray(S, wt, 3 * wc + ch), w4 = FloatVector.fromArray(S, wt, 4 * wc + ch), w5 = FloatVector.fromArray(S, wt, 5 * wc + ch);
        FloatVector w6 = FloatVector.fromArray(S, wt, 6 * wc + ch), w7 = FloatVector.fromArray(S, wt, 7 * wc + ch), w8 = FloatVector.fromArray(S, wt, 8 * wc + ch);
        FloatVector bias = b == null ? FloatVector.zero(S) : FloatVector.fromArray(S, b, ch);
        FloatVector l = FloatVector.broadcast(S, lo), h = FloatVector.broadcast(S, hi);
        {  // ox = 0: its window's first column is the padding
            FloatVector a = FloatVector.fromArray(S, x, r0).fma(w1, bias);
            a = FloatVector.fromArray(S, x, r0 + L).fma(w2, a);
            a = FloatVector.fromArray(S, x, r1).fma(w4, a);
            a = FloatVector.fromArray(S, x, r1 + L).fma(w5, a);
            a = FloatVector.fromArray(S, x, r2).fma(w7, a);
            a = FloatVector.fromArray(S, x, r2 + L).fma(w8, a);
            a.blend(l, a.lt(l)).blend(h, h.lt(a)).intoArray(y, yo);
        }
        int inside = Math.max(1, Math.min(ow, (w - 2) / stride + 1)), col = (stride - 1) * L;  // pixels [1, inside) have all three columns inside
        int n = inside - 1, yi = yo + L;
        r0 += col; r1 += col; r2 += col;
        int j = 0;
        if (stride == 1) {
            for (; j + 1 < n; j += 2) {
                int o = j * L;
                FloatVector p0 = FloatVector.fromArray(S, x, r0 + o), p1 = FloatVector.fromArray(S, x, r0 + o + L), p2 = FloatVector.fromArray(S, x, r0 + o + 2 * L), p3 = FloatVector.fromArray(S, x, r0 + o + 3 * L);
                FloatVector a = p0.fma(w0, bias), e = p1.fma(w0, bias);
                a = p1.fma(w1, a); e = p2.fma(w1, e);
                a = p2.fma(w2, a); e = p3.fma(w2, e);
                p0 = FloatVector.fromArray(S, x, r1 + o); p1 = FloatVector.fromArray(S, x, r1 + o + L); p2 = FloatVector.fromArray(S, x, r1 + o + 2 * L); p3 = FloatVector.fromArray(S, x, r1 + o + 3 * L);
                FloatVector a1 = p0.mul(w3), e1 = p1.mul(w3);
                a1 = p1.fma(w4, a1); e1 = p2.fma(w4, e1);
                a1 = p2.fma(w5, a1); e1 = p3.fma(w5, e1);
                p0 = FloatVector.fromArray(S, x, r2 + o); p1 = FloatVector.fromArray(S, x, r2 + o + L); p2 = FloatVector.fromArray(S, x, r2 + o + 2 * L); p3 = FloatVector.fromArray(S, x, r2 + o + 3 * L);
                a = p0.fma(w6, a); e = p1.fma(w6, e);
                a = p1.fma(w7, a); e = p2.fma(w7, e);
                a = p2.fma(w8, a); e = p3.fma(w8, e);
                a = a.add(a1);
                e = e.add(e1);
                a.blend(l, a.lt(l)).blend(h, h.lt(a)).intoArray(y, yi + o);
                e.blend(l, e.lt(l)).blend(h, h.lt(e)).intoArray(y, yi + o + L);
            }
            if (j < n) {
                int o = j * L;
                FloatVector a = FloatVector.fromArray(S, x, r0 + o).fma(w0, bias);
                a = FloatVector.fromArray(S, x, r0 + o + L).fma(w1, a);
                a = FloatVector.fromArray(S, x, r0 + o + 2 * L).fma(w2, a);
                a = FloatVector.fromArray(S, x, r1 + o).fma(w3, a);
                a = FloatVector.fromArray(S, x, r1 + o + L).fma(w4, a);
                a = FloatVector.fromArray(S, x, r1 + o + 2 * L).fma(w5, a);
                a = FloatVector.fromArray(S, x, r2 + o).fma(w6, a);
                a = FloatVector.fromArray(S, x, r2 + o + L).fma(w7, a);
                a = FloatVector.fromArray(S, x, r2 + o + 2 * L).fma(w8, a);
                a.blend(l, a.lt(l)).blend(h, h.lt(a)).intoArray(y, yi + o);
            }
        } else {
            for (; j < n; j++) {
                int o = j * (2 * L);
                FloatVector a = FloatVector.fromArray(S, x, r0 + o).fma(w0, bias);
                a = FloatVector.fromArray(S, x, r0 + o + L).fma(w1, a);
                a = FloatVector.fromArray(S, x, r0 + o + 2 * L).fma(w2, a);
                FloatVector a1 = FloatVector.fromArray(S, x, r1 + o).mul(w3);
                a1 = FloatVector.fromArray(S, x, r1 + o + L).fma(w4, a1);
                a1 = FloatVector.fromArray(S, x, r1 + o + 2 * L).fma(w5, a1);
                a = FloatVector.fromArray(S, x, r2 + o).fma(w6, a);
                a = FloatVector.fromArray(S, x, r2 + o + L).fma(w7, a);
                a = FloatVector.fromArray(S, x, r2 + o + 2 * L).fma(w8, a);
                a = a.add(a1);
                a.blend(l, a.lt(l)).blend(h, h.lt(a)).intoArray(y, yi + j * L);
            }
        }
        for (int ox = inside; ox < ow; ox++) {  // the last column (or two) hangs over the padding: taps 0 and 1, or 0 alone
            int c0 = (ox * stride - 1) * L;
            boolean two = ox * stride < w;
            FloatVector a = FloatVector.fromArray(S, x, r0 - col + c0).fma(w0, bias);
            a = FloatVector.fromArray(S, x, r1 - col + c0).fma(w3, a);
            a = FloatVector.fromArray(S, x, r2 - col + c0).fma(w6, a);
            if (two) {
                a = FloatVector.fromArray(S, x, r0 - col + c0 + L).fma(w1, a);
                a = FloatVector.fromArray(S, x, r1 - col + c0 + L).fma(w4, a);
                a = FloatVector.fromArray(S, x, r2 - col + c0 + L).fma(w7, a);
            }
            a.blend(l, a.lt(l)).blend(h, h.lt(a)).intoArray(y, yo + ox * L);
        }
    }

    /** {@link #pixel3x3} for one channel block of a channel-blocked plane (taps L apart), one vector of output at y[yo]. */
    static void pixel3x3Blocked(float[] x, int r0, int r1, int r2, int ix0, int w, float[] wt, int wc, int ch, float[] b, float lo, float hi, float[] y, int yo) {
        int vlo = Math.max(0, -ix0), vhi = Math.min(3, w - ix0);
        FloatVector acc = b == null ? FloatVector.zero(S) : FloatVector.fromArray(S, b, ch);
        for (int v = vlo; v < vhi; v++) {
            int col = (ix0 + v) * L;
            acc = FloatVector.fromArray(S, x, r0 + col).fma(FloatVector.fromArray(S, wt, v * wc + ch), acc);
            acc = FloatVector.fromArray(S, x, r1 + col).fma(FloatVector.fromArray(S, wt, (3 + v) * wc + ch), acc);
            acc = FloatVector.fromArray(S, x, r2 + col).fma(FloatVector.fromArray(S, wt, (6 + v) * wc + ch), acc);
        }
        FloatVector l = FloatVector.broadcast(S, lo), h = FloatVector.broadcast(S, hi);
        acc.blend(l, acc.lt(l)).blend(h, h.lt(acc)).intoArray(y, yo);
    }


    /**
     * One output pixel of a 3x3 depthwise window whose rows start (at column 0) at x[r0], x[r1],
     * x[r2] and whose first column is ix0, taps outside [0, w) skipped; channels from ch0. Channel ch
     * goes to y[yo + (ch / L) * yBlock + ch % L]: yBlock = L is channels-last, more is channel-blocked.
     */
    static void pixel3x3(float[] x, int r0, int r1, int r2, int ix0, int w, int c, float[] wt, float[] b, float lo, float hi, float[] y, int yo, int yBlock, int ch0) {
        int vlo = Math.max(0, -ix0), vhi = Math.min(3, w - ix0), vecEnd = Kernels.SCALAR ? 0 : S.loopBound(c), ch = ch0;
        for (; ch < vecEnd; ch += L) {
            FloatVector acc = b == null ? FloatVector.zero(S) : FloatVector.fromArray(S, b, ch);
            for (int v = vlo; v < vhi; v++) {
                int col = (ix0 + v) * c + ch;
                acc = FloatVector.fromArray(S, x, r0 + col).fma(FloatVector.fromArray(S, wt, v * c + ch), acc);
                acc = FloatVector.fromArray(S, x, r1 + col).fma(FloatVector.fromArray(S, wt, (3 + v) * c + ch), acc);
                acc = FloatVector.fromArray(S, x, r2 + col).fma(FloatVector.fromArray(S, wt, (6 + v) * c + ch), acc);
            }
            FloatVector l = FloatVector.broadcast(S, lo), h = FloatVector.broadcast(S, hi);
            acc.blend(l, acc.lt(l)).blend(h, h.lt(acc)).intoArray(y, yo + ch / L * yBlock);
        }
        for (; ch < c; ch++) {
            float acc = b == null ? 0f : b[ch];
            for (int v = vlo; v < vhi; v++) {
                int col = (ix0 + v) * c + ch;
                acc = Math.fma(x[r0 + col], wt[v * c + ch], acc);
                acc = Math.fma(x[r1 + col], wt[(3 + v) * c + ch], acc);
                acc = Math.fma(x[r2 + col], wt[(6 + v) * c + ch], acc);
            }
            y[yo + ch / L * yBlock + ch % L] = Math.min(Math.max(acc, lo), hi);
        }
    }

    private static void depthwisePixel(ConvGeometry g, float[] x, int xOff, float[] wt, float[] b, float[] y, int yOff, float lo, float hi, int oy, int ox) {
        depthwisePixel(g, x, xOff, wt, b, y, yOff, lo, hi, oy, ox, 0);
    }

    /** One output pixel, channels from ch0: the taps inside the input (their range found once), channels in vectors then a scalar tail. */
    private static void depthwisePixel(ConvGeometry g, float[] x, int xOff, float[] wt, float[] b, float[] y, int yOff, float lo, float hi, int oy, int ox, int ch0) {
        int c = g.c(), kw = g.kw(), w = g.w(), vecEnd = Kernels.SCALAR ? 0 : S.loopBound(c);
        int iy0 = oy * g.sh() - g.ph(), ulo = firstTap(iy0, g.dh()), uhi = endTap(iy0, g.dh(), g.kh(), g.h());
        int ix0 = ox * g.sw() - g.pw(), vlo = firstTap(ix0, g.dw()), vhi = endTap(ix0, g.dw(), kw, w);
        int yo = yOff + (oy * g.ow() + ox) * c, ch = ch0;
        for (; ch < vecEnd; ch += L) {
            FloatVector acc = b == null ? FloatVector.zero(S) : FloatVector.fromArray(S, b, ch);
            for (int u = ulo; u < uhi; u++) {
                int xr = xOff + ((iy0 + u * g.dh()) * w + ix0) * c + ch, wr = u * kw * c + ch;
                for (int v = vlo; v < vhi; v++) {
                    acc = FloatVector.fromArray(S, x, xr + v * g.dw() * c).fma(FloatVector.fromArray(S, wt, wr + v * c), acc);
                }
            }
            FloatVector l = FloatVector.broadcast(S, lo), h = FloatVector.broadcast(S, hi);
            acc.blend(l, acc.lt(l)).blend(h, h.lt(acc)).intoArray(y, yo + ch);
        }
        for (; ch < c; ch++) {
            float s = b == null ? 0f : b[ch];
            for (int u = ulo; u < uhi; u++) {
                int xr = xOff + ((iy0 + u * g.dh()) * w + ix0) * c + ch, wr = u * kw * c + ch;
                for (int v = vlo; v < vhi; v++) s = Math.fma(x[xr + v * g.dw() * c], wt[wr + v * c], s);
            }
            y[yo + ch] = Math.min(Math.max(s, lo), hi);
        }
    }

    /** First tap t with origin + t*dilation >= 0. */
    static int firstTap(int origin, int dilation) { return origin >= 0 ? 0 : (-origin + dilation - 1) / dilation; }

    /** One past the last tap t (below taps) with origin + t*dilation < size. */
    static int endTap(int origin, int dilation, int taps, int size) {
        if (origin >= size) return 0;
        return Math.min(taps, (size - 1 - origin) / dilation + 1);
    }
}
