package dev.lathe.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise float kernels over array ranges, vectorized with the widest species; each has a
 * scalar twin in {@link ScalarMath} that handles strides and is the test oracle. A stride of 0
 * means "one value repeated" (broadcast).
 */
public final class VectorMath {
    private VectorMath() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    public static final int ADD = 0, SUB = 1, MUL = 2, DIV = 3, GREATER = 4, RELU_MASK = 5;

    /** c[co+i] = a[ao+i*sa] (op) b[bo+i*sb] for i in [0, n). Inputs have stride 0 or 1 to vectorize. */
    public static void binary(int op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] c, int co, int n) {
        if (Kernels.SCALAR || op == GREATER || sa > 1 || sb > 1 || (sa == 0 && sb == 0) || n < L) {
            ScalarMath.binary(op, a, ao, sa, b, bo, sb, c, co, n);
            return;
        }
        int i = 0, bound = S.loopBound(n);
        if (op == RELU_MASK) {
            if (sa != 1 || sb != 1) {
                ScalarMath.binary(op, a, ao, sa, b, bo, sb, c, co, n);
                return;
            }
            for (; i < bound; i += L) va(a, ao + i).blend(0f, va(b, bo + i).compare(VectorOperators.GT, 0f).not()).intoArray(c, co + i);
        } else if (sa == 1 && sb == 1) {
            switch (op) {
                case ADD -> { for (; i < bound; i += L) va(a, ao + i).add(va(b, bo + i)).intoArray(c, co + i); }
                case SUB -> { for (; i < bound; i += L) va(a, ao + i).sub(va(b, bo + i)).intoArray(c, co + i); }
                case MUL -> { for (; i < bound; i += L) va(a, ao + i).mul(va(b, bo + i)).intoArray(c, co + i); }
                default -> { for (; i < bound; i += L) va(a, ao + i).div(va(b, bo + i)).intoArray(c, co + i); }
            }
        } else if (sb == 0) {
            FloatVector bv = FloatVector.broadcast(S, b[bo]);
            switch (op) {
                case ADD -> { for (; i < bound; i += L) va(a, ao + i).add(bv).intoArray(c, co + i); }
                case SUB -> { for (; i < bound; i += L) va(a, ao + i).sub(bv).intoArray(c, co + i); }
                case MUL -> { for (; i < bound; i += L) va(a, ao + i).mul(bv).intoArray(c, co + i); }
                default -> { for (; i < bound; i += L) va(a, ao + i).div(bv).intoArray(c, co + i); }
            }
        } else {
            FloatVector av = FloatVector.broadcast(S, a[ao]);
            switch (op) {
                case ADD -> { for (; i < bound; i += L) av.add(va(b, bo + i)).intoArray(c, co + i); }
                case SUB -> { for (; i < bound; i += L) av.sub(va(b, bo + i)).intoArray(c, co + i); }
                case MUL -> { for (; i < bound; i += L) av.mul(va(b, bo + i)).intoArray(c, co + i); }
                default -> { for (; i < bound; i += L) av.div(va(b, bo + i)).intoArray(c, co + i); }
            }
        }
        ScalarMath.binary(op, a, ao + i * sa, sa, b, bo + i * sb, sb, c, co + i, n - i);
    }

    public static final int SCALE = 0, SHIFT = 1, RELU = 2, LEAKY_RELU = 3, EXP = 4, LOG = 5, SQRT = 6,
            TANH = 7, SIGMOID = 8, POW = 9, LEAKY_RELU_GRAD = 10;

    /** c[co+i] = fn(a[ao+i], p) for i in [0, n), where p is the function's parameter (scale, slope, exponent). */
    public static void unary(int fn, float[] a, int ao, float[] c, int co, int n, float p) {
        if (Kernels.SCALAR || fn == POW || fn == LOG || n < L) {
            ScalarMath.unary(fn, a, ao, c, co, n, p);
            return;
        }
        int i = 0, bound = S.loopBound(n);
        FloatVector pv = FloatVector.broadcast(S, p), zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        switch (fn) {
            case SCALE -> { for (; i < bound; i += L) va(a, ao + i).mul(pv).intoArray(c, co + i); }
            case SHIFT -> { for (; i < bound; i += L) va(a, ao + i).add(pv).intoArray(c, co + i); }
            case RELU -> { for (; i < bound; i += L) va(a, ao + i).max(zero).intoArray(c, co + i); }
            case LEAKY_RELU -> {
                for (; i < bound; i += L) {
                    FloatVector x = va(a, ao + i);
                    x.max(zero).add(x.min(zero).mul(pv)).intoArray(c, co + i);
                }
            }
            case LEAKY_RELU_GRAD -> {
                for (; i < bound; i += L) one.blend(pv, va(a, ao + i).compare(VectorOperators.LE, 0f)).intoArray(c, co + i);
            }
            case EXP -> { for (; i < bound; i += L) exp(va(a, ao + i)).intoArray(c, co + i); }
            case SQRT -> { for (; i < bound; i += L) va(a, ao + i).sqrt().intoArray(c, co + i); }
            case SIGMOID -> { for (; i < bound; i += L) one.div(one.add(exp(va(a, ao + i).neg()))).intoArray(c, co + i); }
            case TANH -> { for (; i < bound; i += L) tanh(va(a, ao + i)).intoArray(c, co + i); }
            // LOG: the Vector API's SVML version rounds differently from its interpreter fallback,
            // which would make training depend on JIT timing; the scalar twin is exact enough.
            default -> { }
        }
        ScalarMath.unary(fn, a, ao + i, c, co + i, n - i, p);
    }

    private static final float LOG2E = 1.44269504f, LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUNDER = 12582912f;  // 1.5 * 2^23: adding it rounds a float to an integer

    /**
     * e^x built only from add, mul and fma, so it gives identical bits in the interpreter, C1 and C2
     * (the Vector API's SVML EXP does not): x = n ln2 + r, |r| <= ln2/2, e^x = 2^n * p(r) with a
     * degree-6 Taylor polynomial (relative error ~1e-7).
     */
    static FloatVector exp(FloatVector x) {
        FloatVector xc = x.max(-86.6f).min(88.72f);
        FloatVector t = xc.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUNDER));
        FloatVector n = t.sub(ROUNDER);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(S, 1f / 720);
        p = p.fma(r, FloatVector.broadcast(S, 1f / 120));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(S, 0.5f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        // 2^n from the integer sitting in t's low mantissa bits, as 2^(n-1) * 2 so n = 128 fits
        IntVector bits = t.reinterpretAsInts().sub(0x4B400000).add(126).lanewise(VectorOperators.LSHL, 23);
        FloatVector y = p.mul(bits.reinterpretAsFloats()).mul(2f);
        y = y.blend(0f, x.compare(VectorOperators.LT, -86.6f));  // flush results below ~2.4e-38 to zero
        y = y.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, 88.72f));
        return y.blend(x, x.compare(VectorOperators.NE, x));  // NaN stays NaN
    }

    /**
     * tanh from the deterministic exp above (the recurrent layers' hot function; the scalar
     * Math.tanh was a quarter of char-LSTM training time): sign(x) (1 - e) / (1 + e) with
     * e = exp(-2|x|), and below |x| = 0.3, where 1 - e cancels, the odd Taylor series to x^9.
     */
    static FloatVector tanh(FloatVector x) {
        FloatVector ax = x.abs(), one = FloatVector.broadcast(S, 1f);
        FloatVector e = exp(ax.mul(-2f));
        FloatVector big = one.sub(e).div(one.add(e));
        FloatVector x2 = ax.mul(ax);
        FloatVector p = FloatVector.broadcast(S, 62f / 2835);
        p = p.fma(x2, FloatVector.broadcast(S, -17f / 315));
        p = p.fma(x2, FloatVector.broadcast(S, 2f / 15));
        p = p.fma(x2, FloatVector.broadcast(S, -1f / 3));
        p = p.fma(x2, one);
        FloatVector small = ax.mul(p);
        FloatVector y = big.blend(small, ax.compare(VectorOperators.LT, 0.3f));
        y = y.blend(y.neg(), x.compare(VectorOperators.LT, 0f));
        return y.blend(x, x.compare(VectorOperators.NE, x));
    }

    /** Sum of a[ao], a[ao+1], ..., a[ao+n-1], accumulated in float lanes then in double. */
    public static double sum(float[] a, int ao, int n) {
        if (Kernels.SCALAR || n < L) return ScalarMath.sum(a, ao, 1, n);
        int i = 0, bound = S.loopBound(n);
        FloatVector acc = FloatVector.zero(S);
        for (; i < bound; i += L) acc = acc.add(va(a, ao + i));
        return sumLanes(acc) + ScalarMath.sum(a, ao + i, 1, n - i);
    }

    /** Lanes added in a fixed order: reduceLanes' order may differ between JIT tiers (determinism). */
    private static double sumLanes(FloatVector acc) {
        double s = 0;
        for (int l = 0; l < L; l++) s += acc.lane(l);
        return s;
    }

    /**
     * dst[d + j] += a * src[s + j] for j in [from, to). Explicit vectors, because C2 does not
     * auto-vectorize this loop when it cannot prove src and dst are different arrays (measured
     * 4 GFLOPS scalar for the 112x112 depthwise layer, 11 with this).
     */
    public static void axpy(float a, float[] src, int s, float[] dst, int d, int from, int to) {
        int j = from;
        if (!Kernels.SCALAR) {
            FloatVector av = FloatVector.broadcast(S, a);
            for (int bound = from + S.loopBound(to - from); j < bound; j += L) {
                va(src, s + j).fma(av, va(dst, d + j)).intoArray(dst, d + j);
            }
        }
        for (; j < to; j++) dst[d + j] += a * src[s + j];
    }

    /** Sum of p[a + j] * q[b + j] for j in [from, to), lanes added in a fixed order. */
    public static float dot(float[] p, int a, float[] q, int b, int from, int to) {
        int j = from;
        float s = 0;
        if (!Kernels.SCALAR && to - from >= L) {
            FloatVector acc = FloatVector.zero(S);
            for (int bound = from + S.loopBound(to - from); j < bound; j += L) acc = va(p, a + j).fma(va(q, b + j), acc);
            s = (float) sumLanes(acc);
        }
        for (; j < to; j++) s += p[a + j] * q[b + j];
        return s;
    }

    /**
     * Four dot products of p[a..] with q rows at b, b + ld, b + 2 ld, b + 3 ld over [0, n), into
     * out[o..o+3]: each vector of p is loaded once for four rows (one row at a time was load-bound:
     * the Fashion MLP's batch-1 dense layers ran at a third of the int8 kernel's rate). Each result is
     * the same fixed-order sum as {@link #dot}, so one row or four give equal bits.
     */
    public static void dot4(float[] p, int a, float[] q, int b, int ld, int n, float[] out, int o) {
        int j = 0;
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int b1 = b + ld, b2 = b1 + ld, b3 = b2 + ld;
        if (!Kernels.SCALAR && n >= L) {
            FloatVector c0 = FloatVector.zero(S), c1 = c0, c2 = c0, c3 = c0;
            for (int bound = S.loopBound(n); j < bound; j += L) {
                FloatVector x = va(p, a + j);
                c0 = x.fma(va(q, b + j), c0);
                c1 = x.fma(va(q, b1 + j), c1);
                c2 = x.fma(va(q, b2 + j), c2);
                c3 = x.fma(va(q, b3 + j), c3);
            }
            s0 = (float) sumLanes(c0);
            s1 = (float) sumLanes(c1);
            s2 = (float) sumLanes(c2);
            s3 = (float) sumLanes(c3);
        }
        for (; j < n; j++) {
            float x = p[a + j];
            s0 += x * q[b + j];
            s1 += x * q[b1 + j];
            s2 += x * q[b2 + j];
            s3 += x * q[b3 + j];
        }
        out[o] = s0;
        out[o + 1] = s1;
        out[o + 2] = s2;
        out[o + 3] = s3;
    }

    private static final jdk.incubator.vector.VectorShuffle<Float> EVEN = jdk.incubator.vector.VectorShuffle.fromOp(S, i -> 2 * i);

    /**
     * dst[d + j] = x[src + 2j] for j in [0, n): two vectors in, their even lanes out (a stride-2
     * im2col row; the strided scalar copy made MobileNetV2's stem convolution 18 GMAC/s). Reads stop
     * before x[src + 2n - 1], so a row at the end of the array is safe.
     */
    public static void evens(float[] x, int src, float[] dst, int d, int n) {
        int j = 0;
        if (!Kernels.SCALAR) {
            for (; j + L < n; j += L) va(x, src + 2 * j).rearrange(EVEN, va(x, src + 2 * j + L)).intoArray(dst, d + j);
        }
        for (; j < n; j++) dst[d + j] = x[src + 2 * j];
    }

    static FloatVector va(float[] a, int o) { return FloatVector.fromArray(S, a, o); }
}
