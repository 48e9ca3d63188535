package dev.lathe.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * int8 arithmetic of the quantized runtime: the fixed-point requantization every backend shares,
 * and the batch-1 int8 x int8 -> int32 matrix-vector kernel. The scalar twin is {@link Int8Reference}.
 *
 * <p>The one rounding rule (documented in the README; the C export must do the same): a real
 * multiplier M > 0 is stored as M0 in [2^30, 2^31) and a right shift r with M = M0 * 2^-r, and
 * {@code requantize(acc) = (acc * M0 + 2^(r-1)) >> r} in 64-bit arithmetic with an arithmetic shift
 * — round half up (towards +infinity), a single rounding (not TFLite's double rounding). ONNX
 * QuantizeLinear rounds half to even, so ONNX Runtime may differ by one step on exact halves.
 */
public final class Int8 {
    private Int8() {}

    static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    /**
     * Whether {@link #widen}'s vector loop runs: it widens 16 bytes to 16 float lanes, a 512-bit shape
     * the JVM emulates in Java (allocating per operation) where its vectors are narrower (AVX2, NEON,
     * -XX:MaxVectorSize=32 or 16); the scalar loop runs there.
     */
    static final boolean WIDE = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() >= jdk.incubator.vector.FloatVector.SPECIES_512.length();

    /** {M0, r} with M = M0 * 2^-r, M0 in [2^30, 2^31), 1 <= r <= 62. */
    public static int[] multiplier(double m) {
        if (!(m > 0) || Double.isInfinite(m)) throw new IllegalArgumentException("int8: requantization multiplier must be positive and finite, got " + m);
        int e = Math.getExponent(m) + 1;            // m = f * 2^e with f in [0.5, 1)
        double f = m / Math.scalb(1.0, e);
        long m0 = Math.round(f * (1L << 31));
        if (m0 == 1L << 31) {
            m0 >>= 1;
            e++;
        }
        int r = 31 - e;
        if (r < 1 || r > 62) throw new IllegalArgumentException("int8: multiplier " + m + " is outside what a 31-bit fixed-point value and a shift of 1..62 represent");
        return new int[] {(int) m0, r};
    }

    /** The rounding rule above, then the zero point added and the result clamped to [lo, hi]. */
    public static int requantize(int acc, int m0, int r, int zeroPoint, int lo, int hi) {
        long v = ((long) acc * m0 + (1L << (r - 1))) >> r;
        long q = v + zeroPoint;
        return (int) Math.max(lo, Math.min(hi, q));
    }

    /** y[yo + c*per + j] = requantize(acc[ao + c*per + j] + bias[c]) per channel c, with that channel's multiplier, shift and clamp. */
    public static void requantizeChannels(int[] acc, int ao, int channels, int per, int[] bias, int[] m0, int[] shift, int zp, int lo, int hi, byte[] y, int yo) {
        for (int c = 0; c < channels; c++) {
            int b = bias[c], m = m0[c], r = shift[c], base = c * per;
            for (int j = 0; j < per; j++) y[yo + base + j] = (byte) requantize(acc[ao + base + j] + b, m, r, zp, lo, hi);
        }
    }

    /** As above for integer sums held exactly in floats (the fp32 GEMM and depthwise kernels' outputs). */
    public static void requantizeChannels(float[] acc, int ao, int channels, int per, int[] bias, int[] m0, int[] shift, int zp, int lo, int hi, byte[] y, int yo) {
        for (int c = 0; c < channels; c++) {
            int b = bias[c], m = m0[c], r = shift[c], base = c * per;
            for (int j = 0; j < per; j++) y[yo + base + j] = (byte) requantize((int) acc[ao + base + j] + b, m, r, zp, lo, hi);
        }
    }

    /**
     * Int8 weights [rows, k] widened to int once, when the layer is compiled: the product then loads
     * int lanes straight from arrays at the JVM's own vector width. Widening 16 bytes to 16 int lanes
     * per step instead (the first form of this kernel) is a 512-bit shape, emulated in Java on narrower
     * vectors (17.6 MB a call on the int8 Fashion CNN at 256 bits) and not fully intrinsified even at
     * 512 (~16 KB a call). Four times the bytes of the int8 weights, in the JVM only: C export keeps int8.
     */
    public record Rows(int[] w, int k, int rows) {}

    public static Rows widenRows(byte[] w, int wo, int k, int rows) {
        int[] wi = new int[k * rows];
        for (int i = 0; i < wi.length; i++) wi[i] = w[wo + i];
        return new Rows(wi, k, rows);
    }

    private static final VectorSpecies<Integer> P = IntVector.SPECIES_PREFERRED;

    /**
     * out[j] = sum_p x[xo + p] * w[j, p] for every row, int32 sums (exact: |sum| <= k * 128 * 127 <
     * 2^31 for k < 132,000); {@code xs} is an int scratch of at least k values. Four rows per pass
     * share each loaded input vector.
     */
    public static void matVec(byte[] x, int xo, Rows w, int[] xs, int[] out, int oo) {
        int k = w.k(), rows = w.rows();
        int[] wi = w.w();
        for (int p = 0; p < k; p++) xs[p] = x[xo + p];
        int j = 0;
        if (!Kernels.SCALAR) for (; j + 4 <= rows; j += 4) rows4(xs, wi, j * k, k, out, oo + j);
        for (; j < rows; j++) {
            int s = 0;
            for (int p = 0, wo = j * k; p < k; p++) s += xs[p] * wi[wo + p];
            out[oo + j] = s;
        }
    }

    private static void rows4(int[] xs, int[] w, int wo, int k, int[] out, int oo) {
        IntVector a0 = IntVector.zero(P), a1 = a0, a2 = a0, a3 = a0;
        int p = 0, w1 = wo + k, w2 = w1 + k, w3 = w2 + k, n = P.length();
        for (int bound = k - n + 1; p < bound; p += n) {
            IntVector xv = IntVector.fromArray(P, xs, p);
            a0 = xv.mul(IntVector.fromArray(P, w, wo + p)).add(a0);
            a1 = xv.mul(IntVector.fromArray(P, w, w1 + p)).add(a1);
            a2 = xv.mul(IntVector.fromArray(P, w, w2 + p)).add(a2);
            a3 = xv.mul(IntVector.fromArray(P, w, w3 + p)).add(a3);
        }
        int s0 = a0.reduceLanes(VectorOperators.ADD), s1 = a1.reduceLanes(VectorOperators.ADD), s2 = a2.reduceLanes(VectorOperators.ADD), s3 = a3.reduceLanes(VectorOperators.ADD);
        for (; p < k; p++) {
            int xv = xs[p];
            s0 += xv * w[wo + p];
            s1 += xv * w[w1 + p];
            s2 += xv * w[w2 + p];
            s3 += xv * w[w3 + p];
        }
        out[oo] = s0;
        out[oo + 1] = s1;
        out[oo + 2] = s2;
        out[oo + 3] = s3;
    }

    /** Largest K whose int8 products (|x - zp| <= 255, |w| <= 127) sum exactly in float32 (< 2^24). */
    public static final int EXACT_K = (1 << 24) / (255 * 127);

    /**
     * Weights of a (groups = 1) convolution, int8 [o, c*kh*kw], widened to float and packed for the
     * fp32 GEMM in K blocks of at most {@link #EXACT_K}: the JVM has no int8 dot-product instruction,
     * and integer-valued floats multiply and add exactly while every partial sum stays below 2^24.
     */
    public static Gemm.PackedA[] packConvWeights(ConvGeometry g, byte[] w) {
        if (g.groups() != 1) throw new IllegalArgumentException("int8 conv: groups " + g.groups() + " (only dense convolutions)");
        int k = g.c() * g.kh() * g.kw();
        float[] wf = new float[w.length];
        for (int i = 0; i < w.length; i++) wf[i] = w[i];
        int blocks = (k + EXACT_K - 1) / EXACT_K;
        Gemm.PackedA[] p = new Gemm.PackedA[blocks];
        for (int b = 0; b < blocks; b++) {
            int k0 = b * EXACT_K, k1 = Math.min(k, k0 + EXACT_K);
            p[b] = Gemm.pack(g.o(), k1 - k0, wf, k0, k, 1);
        }
        return p;
    }

    /** Floats {@link #conv} needs in its scratch for this geometry. */
    public static int convScratch(ConvGeometry g) {
        int col = g.isPointwise() ? 0 : g.c() * g.kh() * g.kw() * g.oh() * g.ow();
        return g.c() * g.h() * g.w() + col + g.o() * g.oh() * g.ow();
    }

    /**
     * int32 accumulators acc[o * oh*ow + j] of a batch-1 int8 convolution (input at x[xo], zero
     * point zpIn), exactly {@link Int8Reference#conv}: the input minus its zero point is widened
     * to float (so padding is the real zero), im2col'd, and multiplied by the packed weights.
     */
    public static void conv(ConvGeometry g, byte[] x, int xo, int zpIn, Gemm.PackedA[] w, float[] scratch, int[] acc) {
        int chw = g.c() * g.h() * g.w(), ohw = g.oh() * g.ow(), k = g.c() * g.kh() * g.kw();
        widen(x, xo, zpIn, scratch, chw);
        float[] col = scratch;
        int colOff = 0, outOff = chw;
        if (!g.isPointwise()) {
            Conv2d.im2col(g, scratch, 0, scratch, chw, ohw);
            colOff = chw;
            outOff = chw + k * ohw;
        }
        int n = g.o() * ohw;
        for (int b = 0; b < w.length; b++) {
            int k0 = b * EXACT_K;
            Gemm.sgemm(w[b], ohw, col, colOff + k0 * ohw, ohw, 1, 0f, scratch, outOff, ohw, Epilogue.IDENTITY);
            if (b == 0) for (int i = 0; i < n; i++) acc[i] = (int) scratch[outOff + i];
            else for (int i = 0; i < n; i++) acc[i] += (int) scratch[outOff + i];
        }
    }

    /**
     * As {@link #conv} for a convolution that fits one exact K block, leaving the integer sums as
     * floats at the end of the scratch, at {@code convScratch(g) - o*oh*ow} (a fused max pool reads them there).
     */
    public static void convFloat(ConvGeometry g, byte[] x, int xo, int zpIn, Gemm.PackedA[] w, float[] scratch) {
        if (w.length != 1) throw new IllegalArgumentException("int8 conv: K = " + g.c() * g.kh() * g.kw() + " needs " + w.length + " exact blocks; the pooled form takes one");
        int chw = g.c() * g.h() * g.w(), ohw = g.oh() * g.ow(), k = g.c() * g.kh() * g.kw();
        widen(x, xo, zpIn, scratch, chw);
        int colOff = 0, outOff = chw;
        if (!g.isPointwise()) {
            Conv2d.im2col(g, scratch, 0, scratch, chw, ohw);
            colOff = chw;
            outOff = chw + k * ohw;
        }
        Gemm.sgemm(w[0], ohw, scratch, colOff, ohw, 1, 0f, scratch, outOff, ohw, Epilogue.IDENTITY);
    }

    /** dst[i] = x[xo + i] - zp as floats, 16 bytes per vector. */
    public static void widen(byte[] x, int xo, int zp, float[] dst, int n) {
        int i = 0;
        if (!Kernels.SCALAR && WIDE) {
            jdk.incubator.vector.FloatVector z = jdk.incubator.vector.FloatVector.broadcast(jdk.incubator.vector.FloatVector.SPECIES_512, zp);
            for (; i + 16 <= n; i += 16) {
                ((jdk.incubator.vector.FloatVector) ByteVector.fromArray(B, x, xo + i).convertShape(VectorOperators.B2F, jdk.incubator.vector.FloatVector.SPECIES_512, 0))
                        .sub(z).intoArray(dst, i);
            }
        }
        for (; i < n; i++) dst[i] = x[xo + i] - zp;
    }

    /**
     * y = clamp(zp_out + ((a - zp_a) * ma + (b - zp_b) * mb + 2^(r-1)) >> r), the int8 add: each input
     * brought to the output's scale by an integer multiplier over 2^r (r = 24), summed, rounded once
     * half up (64-bit, arithmetic shift), clamped.
     */
    public static void add(byte[] x, int a, int zpa, int ma, int b, int zpb, int mb, int r, int zpo, byte[] y, int yo, int n) {
        long round = 1L << (r - 1);
        for (int i = 0; i < n; i++) {
            long v = (((long) (x[a + i] - zpa) * ma + (long) (x[b + i] - zpb) * mb + round) >> r) + zpo;
            y[yo + i] = (byte) Math.max(-128, Math.min(127, v));
        }
    }

    /** Global average pooling: per channel the sum of (x - zp) over the plane, requantized by M = s_in / (s_out * h*w). */
    public static void globalAverage(byte[] x, int xo, int c, int hw, int zpIn, int m0, int r, int zpOut, byte[] y, int yo) {
        for (int ch = 0; ch < c; ch++) {
            int s = 0;
            for (int i = 0; i < hw; i++) s += x[xo + ch * hw + i] - zpIn;
            y[yo + ch] = (byte) requantize(s, m0, r, zpOut, -128, 127);
        }
    }

    /** Max pooling on int8 values (order is kept by quantization, so scale and zero point pass through). */
    public static void maxPool(ConvGeometry g, byte[] x, int xo, byte[] y, int yo) {
        for (int c = 0; c < g.c(); c++) {
            for (int i = 0; i < g.oh(); i++) {
                for (int j = 0; j < g.ow(); j++) {
                    int best = Byte.MIN_VALUE;
                    for (int u = 0; u < g.kh(); u++) {
                        int r = i * g.sh() - g.ph() + u;
                        if (r < 0 || r >= g.h()) continue;
                        for (int v = 0; v < g.kw(); v++) {
                            int q = j * g.sw() - g.pw() + v;
                            if (q >= 0 && q < g.w()) best = Math.max(best, x[xo + (c * g.h() + r) * g.w() + q]);
                        }
                    }
                    y[yo + (c * g.oh() + i) * g.ow() + j] = (byte) best;
                }
            }
        }
    }
}
