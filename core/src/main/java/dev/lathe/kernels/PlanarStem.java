package dev.lathe.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A network's first convolution, reading the model's channels-first input where the session copied
 * it — planes [c][h + 2ph][w + 2pw] with a zero border, at stride 2 each row's even and odd columns
 * apart ({@link #copyIn}) — and writing channels-last. An image's few
 * channels (2-4: one channel has nothing to transpose, and its 3x3 kernel of its own measured 2x faster here), stride 1 or 2, undilated. Each output row's windows are packed k-major in blocks of
 * MR pixels, K in the weight file's own order (channel, tap row, tap column): a tap's MR pixels are
 * one 8-float load at either stride, so packing an RGB stem row
 * costs a few instructions per tap and block; the rows then run through the packed tile. Channels-last,
 * the same stem reads each window as three 9-float runs in eight row streams, and the input had to
 * be transposed first (0.11 ms for 3x224x224).
 */
public final class PlanarStem {
    private final ChannelsLast.PackedConv pc;
    /** A padded row is planeW floats; at stride 2 its even and odd columns apart, each half halfW long, rowLen = 2 * halfW. */
    private final int c, kh, kw, sh, sw, ph, pw, planeW, halfW, rowLen, plane, oh, ow, k;
    private final long macsPerRow;

    private static final Scratch PACKED = new Scratch();
    /** MR floats: one tap of a pixel block (fits requires MR = 8). */
    private static final VectorSpecies<Float> BLOCK = FloatVector.SPECIES_256;
    /** Lanes 0, 2, 4, ... (and 1, 3, 5, ...) of two vectors side by side (indexes past the first vector select from the second). */
    private static final VectorShuffle<Float> EVEN_LANES = VectorShuffle.fromOp(ChannelsLast.S, i -> 2 * i), ODD_LANES = VectorShuffle.fromOp(ChannelsLast.S, i -> 2 * i + 1);

    /** Whether a convolution is one this kernel runs. */
    public static boolean fits(ConvGeometry g) {
        return !Kernels.SCALAR && ChannelsLast.L == 2 * ChannelsLast.MR && ChannelsLast.MR == BLOCK.length() && g.n() == 1 && g.groups() == 1 && g.c() >= 2 && g.c() <= 4 && !g.isPointwise()
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
        this.oh = g.oh();
        this.ow = g.ow();
        int blocks = (ow + ChannelsLast.MR - 1) / ChannelsLast.MR;
        this.halfW = Math.max((planeW + 1) / 2, blocks * ChannelsLast.MR + kw / 2);  // a block's loads stay in their half
        this.rowLen = sw == 2 ? 2 * halfW : planeW;
        this.plane = (g.h() + 2 * ph) * rowLen;
        this.macsPerRow = (long) ow * k * o;
    }

    /** Floats the padded planes take (the border zero, and a vector to spare past the last row for the last block's loads). */
    public int planesSize() { return c * plane + 2 * ChannelsLast.L; }

    /**
     * Copies a channels-first input [c, h, w] into the padded planes' interior (the border stays as it
     * is: zero). At stride 2 each row's even and odd padded columns go to its two halves, so that a
     * tap's eight pixels (columns 2x + v) are eight consecutive floats of one half: the copy the
     * session makes anyway does the deinterleaving, and packing is plain 8-float moves. Packing from
     * interleaved rows (a compress of the even lanes per tap and block) was 28% of the stem's samples;
     * now pack and copy are 17% and 19%, the 224x224 stem alone 0.96-0.97x (alternating in one JVM, three runs).
     */
    public void copyIn(float[] in, int inOff, float[] planes) {
        int h = pc.g().h(), w = pc.g().w();
        for (int ci = 0; ci < c; ci++) {
            for (int iy = 0; iy < h; iy++) {
                int src = inOff + (ci * h + iy) * w, row = ci * plane + (iy + ph) * rowLen;
                if (sw != 2) {
                    System.arraycopy(in, src, planes, row + pw, w);
                    continue;
                }
                // input column ix is padded column ix + pw, even ones to the first half and odd ones to the second;
                // two vectors of input at a time split into their even and odd lanes
                int evenTo = row + (pw & 1) * halfW, oddTo = row + ((pw + 1) & 1) * halfW, ix = 0, L = ChannelsLast.L;
                for (; ix + 2 * L <= w; ix += 2 * L) {
                    FloatVector v0 = FloatVector.fromArray(ChannelsLast.S, in, src + ix), v1 = FloatVector.fromArray(ChannelsLast.S, in, src + ix + L);
                    v0.rearrange(EVEN_LANES, v1).intoArray(planes, evenTo + (ix + pw) / 2);
                    v0.rearrange(ODD_LANES, v1).intoArray(planes, oddTo + (ix + 1 + pw) / 2);
                }
                for (; ix < w; ix++) planes[row + ((ix + pw) & 1) * halfW + (ix + pw) / 2] = in[src + ix];
            }
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
                int row = ci * plane + (oy * sh + u) * rowLen;
                for (int v = 0; v < kw; v++, q++) {
                    // stride 2: padded column 2 * ox + v is in half v & 1, at ox + v / 2
                    int src = sw == 2 ? row + (v & 1) * halfW + (v >> 1) : row + v;
                    for (int bl = 0; bl < blocks; bl++) FloatVector.fromArray(BLOCK, planes, src + bl * mr).intoArray(a, (bl * k + q) * mr);
                }
            }
        }
    }
}
