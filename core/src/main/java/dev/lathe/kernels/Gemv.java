package dev.lathe.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A dense layer at batch 1 (y = act(x W^T + b), W [out, in]) with W packed once as W^T in panels of
 * 64 output columns, k-major: per input value one broadcast and four contiguous vector loads feed
 * four accumulators (a panel's inputs taken as four interleaved streams, see {@link #panel}), so the
 * weights stream through once and no lane is summed at the end. Measured against the dot-product form ({@link Gemm}'s row-times-columns, 1 thread, L2- or
 * L3-resident weights): 784 -> 256 16.2 -> 10.8 us, 3136 -> 128 38.8 -> 27.3 us, 1280 -> 1024 242 ->
 * 224 us; 128-column panels (eight accumulators) were 12.4 / 35.4 / 220. Columns past the last full
 * panel take the dot products. The scalar twin runs when {@link Kernels#SCALAR}.
 */
public final class Gemv {
    private Gemv() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length(), PANEL = 4 * L;

    /** W^T in PANEL-column panels for the first {@code full} outputs; the original rows for the rest; the bias (zeros when none). */
    public record Packed(int in, int out, int full, float[] panels, float[] w, float[] bias) {}

    public static Packed pack(float[] w, float[] b, int in, int out) {
        if (in < 1 || out < 1 || w.length != in * out) throw new IllegalArgumentException("dense: weights have " + w.length + " values, expected " + out + "x" + in);
        if (b != null && b.length != out) throw new IllegalArgumentException("dense: bias has " + b.length + " values, expected " + out);
        int full = Kernels.SCALAR ? 0 : out / PANEL * PANEL;
        float[] panels = new float[full * in];
        for (int o = 0; o < full; o++) {
            int base = o / PANEL * PANEL * in + o % PANEL;
            for (int p = 0; p < in; p++) panels[base + p * PANEL] = w[o * in + p];
        }
        return new Packed(in, out, full, panels, w, b == null ? new float[out] : b.clone());
    }

    /** y[yOff .. yOff + out) = activation(x[xOff .. xOff + in) W^T + b), panels split over the pool. */
    public static void run(Packed pk, float[] x, int xOff, float[] y, int yOff, int activation) {
        float lo = ChannelsLast.low(activation), hi = ChannelsLast.high(activation);
        int panels = pk.full() / PANEL;
        long perPanel = (long) PANEL * pk.in();
        if (!Parallel.worthSplitting(panels, perPanel, Gemm.PARALLEL_MIN_STREAM)) {
            panels(pk, x, xOff, y, yOff, lo, hi, 0, panels);
        } else {
            Parallel.forRange(panels, perPanel, Gemm.PARALLEL_MIN_STREAM, (from, to) -> panels(pk, x, xOff, y, yOff, lo, hi, from, to));
        }
        tail(pk, x, xOff, y, yOff, lo, hi);
    }

    private static void panels(Packed pk, float[] x, int xOff, float[] y, int yOff, float lo, float hi, int from, int to) {
        for (int q = from; q < to; q++) panel(pk.in(), x, xOff, pk.panels(), q * PANEL * pk.in(), pk.bias(), q * PANEL, lo, hi, y, yOff + q * PANEL);
    }

    /**
     * One panel: PANEL outputs from the bias, in FMAs each, clamped (compare and blend, as {@link PixelTiles#tile}), stored.
     * The inputs are taken as four interleaved streams (each quarter of the panel's rows in turn, sixteen
     * accumulators): the weights come from memory, and one sequential stream, which the L2 streamer
     * follows only a few lines ahead within each 4 KB page, paid the latency unhidden (ChannelsLast's
     * first-block tiles do the same). 1280 -> 1000: 204-219 -> 187-197 us; 784 -> 256 13.5 -> 11.3 us (1 thread, alone).
     */
    static void panel(int in, float[] x, int xOff, float[] wp, int wOff, float[] bias, int j, float lo, float hi, float[] y, int yo) {
        FloatVector a0 = FloatVector.fromArray(S, bias, j), a1 = FloatVector.fromArray(S, bias, j + L);
        FloatVector a2 = FloatVector.fromArray(S, bias, j + 2 * L), a3 = FloatVector.fromArray(S, bias, j + 3 * L);
        FloatVector b0 = FloatVector.zero(S), b1 = b0, b2 = b0, b3 = b0, c0 = b0, c1 = b0, c2 = b0, c3 = b0, d0 = b0, d1 = b0, d2 = b0, d3 = b0;
        int q = in / 4;
        for (int p = 0; p < q; p++) {
            FloatVector xv = FloatVector.broadcast(S, x[xOff + p]);
            int r = wOff + p * PANEL;
            a0 = xv.fma(FloatVector.fromArray(S, wp, r), a0);
            a1 = xv.fma(FloatVector.fromArray(S, wp, r + L), a1);
            a2 = xv.fma(FloatVector.fromArray(S, wp, r + 2 * L), a2);
            a3 = xv.fma(FloatVector.fromArray(S, wp, r + 3 * L), a3);
            xv = FloatVector.broadcast(S, x[xOff + p + q]);
            r = wOff + (p + q) * PANEL;
            b0 = xv.fma(FloatVector.fromArray(S, wp, r), b0);
            b1 = xv.fma(FloatVector.fromArray(S, wp, r + L), b1);
            b2 = xv.fma(FloatVector.fromArray(S, wp, r + 2 * L), b2);
            b3 = xv.fma(FloatVector.fromArray(S, wp, r + 3 * L), b3);
            xv = FloatVector.broadcast(S, x[xOff + p + 2 * q]);
            r = wOff + (p + 2 * q) * PANEL;
            c0 = xv.fma(FloatVector.fromArray(S, wp, r), c0);
            c1 = xv.fma(FloatVector.fromArray(S, wp, r + L), c1);
            c2 = xv.fma(FloatVector.fromArray(S, wp, r + 2 * L), c2);
            c3 = xv.fma(FloatVector.fromArray(S, wp, r + 3 * L), c3);
            xv = FloatVector.broadcast(S, x[xOff + p + 3 * q]);
            r = wOff + (p + 3 * q) * PANEL;
            d0 = xv.fma(FloatVector.fromArray(S, wp, r), d0);
            d1 = xv.fma(FloatVector.fromArray(S, wp, r + L), d1);
            d2 = xv.fma(FloatVector.fromArray(S, wp, r + 2 * L), d2);
            d3 = xv.fma(FloatVector.fromArray(S, wp, r + 3 * L), d3);
        }
        for (int p = 4 * q; p < in; p++) {
            FloatVector xv = FloatVector.broadcast(S, x[xOff + p]);
            int r = wOff + p * PANEL;
            a0 = xv.fma(FloatVector.fromArray(S, wp, r), a0);
            a1 = xv.fma(FloatVector.fromArray(S, wp, r + L), a1);
            a2 = xv.fma(FloatVector.fromArray(S, wp, r + 2 * L), a2);
            a3 = xv.fma(FloatVector.fromArray(S, wp, r + 3 * L), a3);
        }
        a0 = a0.add(b0).add(c0.add(d0));
        a1 = a1.add(b1).add(c1.add(d1));
        a2 = a2.add(b2).add(c2.add(d2));
        a3 = a3.add(b3).add(c3.add(d3));
        if (lo != Float.NEGATIVE_INFINITY) {
            FloatVector l = FloatVector.broadcast(S, lo);
            a0 = a0.blend(l, a0.lt(l)); a1 = a1.blend(l, a1.lt(l)); a2 = a2.blend(l, a2.lt(l)); a3 = a3.blend(l, a3.lt(l));
        }
        if (hi != Float.POSITIVE_INFINITY) {
            FloatVector h = FloatVector.broadcast(S, hi);
            a0 = a0.blend(h, h.lt(a0)); a1 = a1.blend(h, h.lt(a1)); a2 = a2.blend(h, h.lt(a2)); a3 = a3.blend(h, h.lt(a3));
        }
        a0.intoArray(y, yo);
        a1.intoArray(y, yo + L);
        a2.intoArray(y, yo + 2 * L);
        a3.intoArray(y, yo + 3 * L);
    }

    /** Outputs [full, out): dot products of x with W's rows (all of them in the scalar form). */
    private static void tail(Packed pk, float[] x, int xOff, float[] y, int yOff, float lo, float hi) {
        int in = pk.in();
        for (int o = pk.full(); o < pk.out(); o++) {
            float s = Kernels.SCALAR ? scalarDot(x, xOff, pk.w(), o * in, in) : VectorMath.dot(x, xOff, pk.w(), o * in, 0, in);
            y[yOff + o] = Math.min(Math.max(s + pk.bias()[o], lo), hi);
        }
    }

    private static float scalarDot(float[] x, int xOff, float[] w, int wOff, int n) {
        float s = 0;
        for (int p = 0; p < n; p++) s += x[xOff + p] * w[wOff + p];
        return s;
    }
}
