package dev.lathe.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * A network's first convolution, reading the model's channels-first input where the session copied
 * it — planes [c][h + 2ph][w + 2pw] with a zero border — and writing channels-last. An image's few
 * channels (2-4: one channel has nothing to transpose, and its 3x3 kernel of its own measured 2x faster here), stride 1 or 2, undilated. Each output row's windows are packed k-major in blocks of
 * MR pixels, K in the weight file's own order (channel, tap row, tap column): a tap's MR pixels are
 * one load (stride 1) or the even lanes of one (stride 2, compressed), so packing an RGB stem row
 * costs a few instructions per tap and block; the rows then run through the packed tile. Channels-last,
 * the same stem reads each window as three 9-float runs in eight row streams, and the input had to
 * be transposed first (0.11 ms for 3x224x224).
 */
public final class PlanarStem {
    private final ChannelsLast.PackedConv pc;
    private final int c, kh, kw, sh, sw, ph, pw, planeW, plane, oh, ow, k;
    private final long macsPerRow;

    private static final Scratch PACKED = new Scratch();
    private static final VectorMask<Float> EVENS = VectorMask.fromLong(ChannelsLast.S, 0x5555_5555_5555_5555L), FIRST = ChannelsLast.S.indexInRange(0, ChannelsLast.MR);

    /** Whether a convolution is one this kernel runs. */
    public static boolean fits(ConvGeometry g) {
        return !Kernels.SCALAR && ChannelsLast.L == 2 * ChannelsLast.MR && g.n() == 1 && g.groups() == 1 && g.c() >= 2 && g.c() <= 4 && !g.isPointwise()
                && g.dh() == 1 && g.dw() == 1 && g.sh() == g.sw() && (g.sh() == 1 || g.sh() == 2);
    }

    /** The weights [o, c, kh, kw] (bias or null) packed for this kernel. */
    public PlanarStem(ConvGeometry g, float[] w, float[] b) {
        if (!fits(g)) throw new IllegalArgumentException("planar stem: " + g + " is not a 2-4 channel, stride 1 or 2, undilated dense convolution");
        int nr = ChannelsLast.NR, o = g.o();
        this.k = g.c() * g.kh() * g.kw();
        if (w.length != o * k) throw new IllegalArgumentException("planar stem: weights have " + w.length + " values, expected " + o + "x" + k);
        int nPad = (o + nr - 1) / nr * nr;
        float[] panels = new float[k * nPad], bias = new float[nPad];
        for (int j = 0; j < o; j++) for (int q = 0; q < k; q++) panels[j / nr * nr * k + q * nr + j % nr] = w[j * k + q];
        if (b != null) System.arraycopy(b, 0, bias, 0, o);
        this.pc = new ChannelsLast.PackedConv(g, k, panels, bias, null);
        this.c = g.c();
        this.kh = g.kh();
        this.kw = g.kw();
        this.sh = g.sh();
        this.sw = g.sw();
        this.ph = g.ph();
        this.pw = g.pw();
        this.planeW = g.w() + 2 * pw;
        this.plane = (g.h() + 2 * ph) * planeW;
        this.oh = g.oh();
        this.ow = g.ow();
        this.macsPerRow = (long) ow * k * o;
    }

    /** Floats the padded planes take (the border zero, and a vector to spare past the last row for the last block's loads). */
    public int planesSize() { return c * plane + 2 * ChannelsLast.L; }

    /** Copies a channels-first input [c, h, w] into the padded planes' interior (the border stays as it is: zero). */
    public void copyIn(float[] in, int inOff, float[] planes) {
        int h = pc.g().h(), w = pc.g().w();
        for (int ci = 0; ci < c; ci++) {
            for (int iy = 0; iy < h; iy++) System.arraycopy(in, inOff + (ci * h + iy) * w, planes, ci * plane + (iy + ph) * planeW + pw, w);
        }
    }

    /** The convolution of the padded planes into y[yOff], channels-last [oh, ow, out], with the activation. */
    public void run(float[] planes, float[] y, int yOff, int activation) {
        float lo = ChannelsLast.low(activation), hi = ChannelsLast.high(activation);
        if (!Parallel.worthSplitting(oh, macsPerRow, ChannelsLast.PARALLEL_MIN)) {
            rows(planes, y, yOff, lo, hi, 0, oh);
            return;
        }
        Parallel.forRange(oh, macsPerRow, ChannelsLast.PARALLEL_MIN, (from, to) -> rows(planes, y, yOff, lo, hi, from, to));
    }

    private void rows(float[] planes, float[] y, int yOff, float lo, float hi, int from, int to) {
        int mr = ChannelsLast.MR, blocks = (ow + mr - 1) / mr, o = pc.g().o();
        float[] a = PACKED.atLeast(blocks * k * mr);
        for (int oy = from; oy < to; oy++) {
            pack(planes, oy, a, blocks);
            for (int bl = 0; bl < blocks; bl++) {
                int n = Math.min(mr, ow - bl * mr), yo = yOff + (oy * ow + bl * mr) * o;
                for (int j = 0; j < o; j += ChannelsLast.NR) ChannelsLast.panel(pc, true, a, bl * k * mr, null, 1, k, 0, n, y, yo, o, ChannelsLast.L, lo, hi, j);
            }
        }
    }

    /** Output row oy's windows packed k-major per block of MR pixels: a[(block * k + q) * MR + i] (pixels past the row are whatever the loads found). */
    private void pack(float[] planes, int oy, float[] a, int blocks) {
        int mr = ChannelsLast.MR;
        for (int ci = 0, q = 0; ci < c; ci++) {
            for (int u = 0; u < kh; u++) {
                int row = ci * plane + (oy * sh + u) * planeW;
                for (int v = 0; v < kw; v++, q++) {
                    int src = row + v;
                    if (sw == 2) {
                        for (int bl = 0; bl < blocks; bl++) FloatVector.fromArray(ChannelsLast.S, planes, src + bl * 2 * mr).compress(EVENS).intoArray(a, (bl * k + q) * mr, FIRST);
                    } else {
                        for (int bl = 0; bl < blocks; bl++) FloatVector.fromArray(ChannelsLast.S, planes, src + bl * mr, FIRST).intoArray(a, (bl * k + q) * mr, FIRST);
                    }
                }
            }
        }
    }
}
