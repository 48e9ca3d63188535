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
 * one 8-float load at either stride (with whole blocks and panels not even that: {@link #tapTile} reads
 * the planes in place), so packing an RGB stem row
 * costs a few instructions per tap and block; the rows then run through the packed tile. Channels-last,
 * the same stem reads each window as three 9-float runs in eight row streams, and the input had to
 * be transposed first (0.11 ms for 3x224x224).
 */
public final class PlanarStem {
    private final ChannelsLast.PackedConv pc;
    /** A padded row is planeW floats; at stride 2 its even and odd columns apart, each half halfW long, rowLen = 2 * halfW. */
    private final int c, kh, kw, sh, sw, ph, pw, planeW, halfW, rowLen, plane, oh, ow, k;
    private final long macsPerRow;
    /** Tap q's offset in the planes from a pixel block's first window ({@link #tapTile}); null where rows are packed instead. */
    private final int[] taps;

    private static final Scratch PACKED = new Scratch();
    /** MR floats: one tap of a pixel block (fits requires MR = 8). */
    private static final VectorSpecies<Float> BLOCK = FloatVector.SPECIES_256;
    /** Lanes 0, 2, 4, ... (and 1, 3, 5, ...) of two vectors side by side (indexes past the first vector select from the second). */
    private static final VectorShuffle<Float> EVEN_LANES = VectorShuffle.fromOp(ChannelsLast.S, i -> 2 * i), ODD_LANES = VectorShuffle.fromOp(ChannelsLast.S, i -> 2 * i + 1);

    /** Whether a convolution is one this kernel runs on this JVM: {@link #unfit} has nothing against it. */
    public static boolean fits(ConvGeometry g) { return unfit(g) == null; }

    /**
     * Why this kernel does not run a convolution on this JVM, or null when it does. The geometry is
     * judged first, so a convolution it can never run says so at any vector width and in scalar mode;
     * then scalar mode (this kernel has no scalar twin: the channels-last conv's runs instead), then
     * the width: the tile is 8 pixels by two vectors and a pixel block one 8-float load, written for
     * and measured with 16-lane vectors (AVX-512) only.
     */
    public static String unfit(ConvGeometry g) {
        if (g.n() != 1) return "a batch of " + g.n() + ", not one image";
        if (g.groups() != 1) return g.groups() + " groups, not a dense convolution";
        if (g.c() < 2 || g.c() > 4) return g.c() + (g.c() == 1 ? " input channel" : " input channels") + ", not 2-4";
        if (g.isPointwise()) return "pointwise (1x1, stride 1, unpadded)";
        if (g.dh() != 1 || g.dw() != 1) return "dilated " + g.dh() + "x" + g.dw();
        if (g.sh() != g.sw() || (g.sh() != 1 && g.sh() != 2)) return "stride " + g.sh() + "x" + g.sw() + ", not 1 or 2";
        if (Kernels.SCALAR) return "scalar mode (lathe.scalar)";
        if (ChannelsLast.L != 2 * ChannelsLast.MR || ChannelsLast.MR != BLOCK.length())
            return "needs " + 2 * ChannelsLast.MR + " float lanes, this JVM has " + ChannelsLast.L;
        return null;
    }

    /** The weights [o, c, kh, kw] (bias or null) packed for this kernel. */
    public PlanarStem(ConvGeometry g, float[] w, float[] b) {
        String unfit = unfit(g);
        if (unfit != null) throw new IllegalArgumentException("planar stem: " + g + ": " + unfit);
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
        if (ow % ChannelsLast.MR == 0 && o % nr == 0) {  // whole blocks and panels: the tile reads the planes in place
            taps = new int[k];
            for (int ci = 0, q = 0; ci < c; ci++) for (int u = 0; u < kh; u++) for (int v = 0; v < kw; v++, q++) taps[q] = ci * plane + u * rowLen + (sw == 2 ? (v & 1) * halfW + (v >> 1) : v);
        } else {
            taps = null;
        }
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
        if (taps != null) {
            float[] bp = pc.panels(), bias = pc.bias();
            for (int oy = from; oy < to; oy++) {
                int base = oy * sh * rowLen;
                for (int bl = 0; bl < blocks; bl++) {
                    int yo = yOff + (oy * ow + bl * mr) * o;
                    for (int j = 0; j < o; j += ChannelsLast.NR) tapTile(taps, planes, base + bl * mr, bp, j * k, bias, j, lo, hi, y, yo + j, o, ChannelsLast.L);
                }
            }
            return;
        }
        float[] a = PACKED.atLeast(blocks * k * mr);
        for (int oy = from; oy < to; oy++) {
            pack(planes, oy, a, blocks);
            for (int bl = 0; bl < blocks; bl++) {
                int n = Math.min(mr, ow - bl * mr), yo = yOff + (oy * ow + bl * mr) * o;
                for (int j = 0; j < o; j += ChannelsLast.NR) PixelGemm.panel(pc, true, a, bl * k * mr, null, 1, k, 0, n, y, yo, o, ChannelsLast.L, lo, hi, j);
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

    /**
     * PixelTiles.packedTile reading its 8 pixels straight from the planes: tap q of the block's pixel i at
     * planes[aOff + off[q] + i] (consecutive pixels are consecutive floats: stride 1, or one half of a split
     * row at stride 2), so nothing is packed.
     */
    private static void tapTile(int[] off, float[] a, int aOff, float[] bp, int bOff, float[] bias, int j, float lo, float hi, float[] c, int cOff, int ldc, int c1) {
        FloatVector bias0 = FloatVector.fromArray(ChannelsLast.S, bias, j), bias1 = FloatVector.fromArray(ChannelsLast.S, bias, j + ChannelsLast.L);
        FloatVector c00 = bias0, c01 = bias1, c10 = bias0, c11 = bias1, c20 = bias0, c21 = bias1, c30 = bias0, c31 = bias1;
        FloatVector c40 = bias0, c41 = bias1, c50 = bias0, c51 = bias1, c60 = bias0, c61 = bias1, c70 = bias0, c71 = bias1;
        for (int p = 0; p < off.length; p++) {
            int bi = bOff + p * ChannelsLast.NR, ai = aOff + off[p];
            FloatVector b0 = FloatVector.fromArray(ChannelsLast.S, bp, bi), b1 = FloatVector.fromArray(ChannelsLast.S, bp, bi + ChannelsLast.L);
            FloatVector x = FloatVector.broadcast(ChannelsLast.S, a[ai]);
            c00 = x.fma(b0, c00); c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(ChannelsLast.S, a[ai + 1]);
            c10 = x.fma(b0, c10); c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(ChannelsLast.S, a[ai + 2]);
            c20 = x.fma(b0, c20); c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(ChannelsLast.S, a[ai + 3]);
            c30 = x.fma(b0, c30); c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(ChannelsLast.S, a[ai + 4]);
            c40 = x.fma(b0, c40); c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(ChannelsLast.S, a[ai + 5]);
            c50 = x.fma(b0, c50); c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(ChannelsLast.S, a[ai + 6]);
            c60 = x.fma(b0, c60); c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(ChannelsLast.S, a[ai + 7]);
            c70 = x.fma(b0, c70); c71 = x.fma(b1, c71);
        }
        // Java's max/min (NaN and -0 rules) take about five instructions a vector here; a compare and
        // a blend take two, and only the bounds the activation has are applied
        if (lo != Float.NEGATIVE_INFINITY) {
            FloatVector l = FloatVector.broadcast(ChannelsLast.S, lo);
            c00 = c00.blend(l, c00.lt(l)); c01 = c01.blend(l, c01.lt(l)); c10 = c10.blend(l, c10.lt(l)); c11 = c11.blend(l, c11.lt(l));
            c20 = c20.blend(l, c20.lt(l)); c21 = c21.blend(l, c21.lt(l)); c30 = c30.blend(l, c30.lt(l)); c31 = c31.blend(l, c31.lt(l));
            c40 = c40.blend(l, c40.lt(l)); c41 = c41.blend(l, c41.lt(l)); c50 = c50.blend(l, c50.lt(l)); c51 = c51.blend(l, c51.lt(l));
            c60 = c60.blend(l, c60.lt(l)); c61 = c61.blend(l, c61.lt(l)); c70 = c70.blend(l, c70.lt(l)); c71 = c71.blend(l, c71.lt(l));
        }
        if (hi != Float.POSITIVE_INFINITY) {
            FloatVector h = FloatVector.broadcast(ChannelsLast.S, hi);
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
}
