package dev.lathe.kernels;

import static dev.lathe.kernels.ChannelsLast.L;
import static dev.lathe.kernels.ChannelsLast.PARALLEL_MIN_STREAM;
import static dev.lathe.kernels.ChannelsLast.S;
import static dev.lathe.kernels.ChannelsLastDepthwise.endTap;
import static dev.lathe.kernels.ChannelsLastDepthwise.firstTap;

import jdk.incubator.vector.FloatVector;

/** Max and average pooling over channels-last activations, one vector of channels at a time, a scalar channel tail; reached through {@link ChannelsLast#maxPool} and {@link ChannelsLast#avgPool}. */
final class ChannelsLastPool {
    private ChannelsLastPool() {}

    /** Max pooling, batch 1, channels-last; taps outside the input are skipped (padding never wins). */
    static void maxPool(ConvGeometry g, float[] x, int xOff, float[] y, int yOff) { pool(g, x, xOff, y, yOff, true, false); }

    /** Average pooling (global average: a whole-plane window); countPad divides by kh*kw even where the window hangs over the padding. */
    static void avgPool(ConvGeometry g, float[] x, int xOff, float[] y, int yOff, boolean countPad) { pool(g, x, xOff, y, yOff, false, countPad); }

    private static void pool(ConvGeometry g, float[] x, int xOff, float[] y, int yOff, boolean max, boolean countPad) {
        long perRow = (long) g.ow() * g.c() * g.kh() * g.kw();
        if (!Parallel.worthSplitting(g.oh(), perRow, PARALLEL_MIN_STREAM)) {
            for (int oy = 0; oy < g.oh(); oy++) poolRow(g, x, xOff, y, yOff, max, countPad, oy);
            return;
        }
        Parallel.forRange(g.oh(), perRow, PARALLEL_MIN_STREAM, (from, to) -> { for (int oy = from; oy < to; oy++) poolRow(g, x, xOff, y, yOff, max, countPad, oy); });
    }

    private static void poolRow(ConvGeometry g, float[] x, int xOff, float[] y, int yOff, boolean max, boolean countPad, int oy) {
        int c = g.c(), h = g.h(), w = g.w(), vecEnd = Kernels.SCALAR ? 0 : S.loopBound(c);
        if (max && vecEnd == c && g.kh() == 2 && g.kw() == 2 && g.sh() == 2 && g.sw() == 2 && g.ph() == 0 && g.pw() == 0 && g.dh() == 1 && g.dw() == 1 && !g.overhangs()) {
            maxPool2x2Row(x, xOff + 2 * oy * w * c, w * c, c, g.ow(), y, yOff + oy * g.ow() * c);
            return;
        }
        int iy0 = oy * g.sh() - g.ph(), ulo = firstTap(iy0, g.dh()), uhi = endTap(iy0, g.dh(), g.kh(), h);
        for (int ox = 0; ox < g.ow(); ox++) {
            int ix0 = ox * g.sw() - g.pw(), vlo = firstTap(ix0, g.dw()), vhi = endTap(ix0, g.dw(), g.kw(), w);
            int yo = yOff + (oy * g.ow() + ox) * c, taps = Math.max(0, uhi - ulo) * Math.max(0, vhi - vlo);
            float scale = 1f / (countPad ? g.kh() * g.kw() : Math.max(1, taps));
            int ch = 0;
            for (; ch < vecEnd; ch += L) {
                FloatVector acc = FloatVector.broadcast(S, max ? Float.NEGATIVE_INFINITY : 0f);
                for (int u = ulo; u < uhi; u++) {
                    int xr = xOff + ((iy0 + u * g.dh()) * w + ix0) * c + ch;
                    for (int v = vlo; v < vhi; v++) {
                        FloatVector t = FloatVector.fromArray(S, x, xr + v * g.dw() * c);
                        acc = max ? acc.max(t) : acc.add(t);
                    }
                }
                (max ? acc : acc.mul(scale)).intoArray(y, yo + ch);
            }
            for (; ch < c; ch++) {
                float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                for (int u = ulo; u < uhi; u++) {
                    int xr = xOff + ((iy0 + u * g.dh()) * w + ix0) * c + ch;
                    for (int v = vlo; v < vhi; v++) acc = max ? Math.max(acc, x[xr + v * g.dw() * c]) : acc + x[xr + v * g.dw() * c];
                }
                y[yo + ch] = max ? acc : acc * scale;
            }
        }
    }

    /**
     * One output row of the common 2x2 stride-2 max pool (every window inside): four loads and three
     * maxima a channel vector, no tap bounds. Measured on the Fashion CNN's 28x28x32 pool: the general
     * loop took 0.008 ms, ONNX Runtime 0.003.
     */
    private static void maxPool2x2Row(float[] x, int top, int rowLen, int c, int ow, float[] y, int yo) {
        for (int ox = 0; ox < ow; ox++, top += 2 * c, yo += c) {
            for (int ch = 0; ch < c; ch += L) {
                FloatVector a = FloatVector.fromArray(S, x, top + ch).max(FloatVector.fromArray(S, x, top + c + ch));
                FloatVector b = FloatVector.fromArray(S, x, top + rowLen + ch).max(FloatVector.fromArray(S, x, top + rowLen + c + ch));
                a.max(b).intoArray(y, yo + ch);
            }
        }
    }
}
