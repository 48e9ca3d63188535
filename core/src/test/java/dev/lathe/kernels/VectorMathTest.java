package dev.lathe.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Each vector kernel against its scalar twin, at sizes around the vector length and with broadcast strides. */
class VectorMathTest {
    private static final int[] SIZES = {1, 3, 15, 16, 17, 31, 33, 100, 1000};

    static float[] rand(Random r, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * scale);
        return a;
    }

    @Test void binaryMatchesScalarTwinForEveryStridePattern() {
        Random r = new Random(3);
        for (int n : SIZES) {
            float[] a = rand(r, n + 2, 3), b = rand(r, n + 2, 3);
            for (int i = 0; i < b.length; i++) if (Math.abs(b[i]) < 0.1f) b[i] = 1;
            for (int op = VectorMath.ADD; op <= VectorMath.RELU_MASK; op++) {
                for (int[] st : new int[][] {{1, 1}, {1, 0}, {0, 1}}) {
                    float[] v = new float[n + 1], s = new float[n + 1];
                    VectorMath.binary(op, a, 1, st[0], b, 2, st[1], v, 1, n);
                    ScalarMath.binary(op, a, 1, st[0], b, 2, st[1], s, 1, n);
                    assertThat(v).as("op %d strides %d,%d n %d", op, st[0], st[1], n).containsExactly(s);
                }
            }
        }
    }

    @Test void unaryMatchesScalarTwin() {
        Random r = new Random(4);
        int[] fns = {VectorMath.SCALE, VectorMath.SHIFT, VectorMath.RELU, VectorMath.LEAKY_RELU, VectorMath.EXP, VectorMath.LOG,
                VectorMath.SQRT, VectorMath.TANH, VectorMath.SIGMOID, VectorMath.POW, VectorMath.LEAKY_RELU_GRAD};
        for (int n : SIZES) {
            float[] a = rand(r, n, 4);
            float[] pos = new float[n];
            for (int i = 0; i < n; i++) pos[i] = Math.abs(a[i]) + 0.01f;
            for (int fn : fns) {
                float[] in = fn == VectorMath.LOG || fn == VectorMath.SQRT || fn == VectorMath.POW ? pos : a;
                float[] v = new float[n], s = new float[n];
                VectorMath.unary(fn, in, 0, v, 0, n, 0.3f);
                ScalarMath.unary(fn, in, 0, s, 0, n, 0.3f);
                for (int i = 0; i < n; i++) {
                    assertThat((double) v[i]).as("fn %d n %d at %d (x=%s)", fn, n, i, in[i]).isCloseTo(s[i], org.assertj.core.data.Offset.offset(1e-6 + 1e-6 * Math.abs(s[i])));
                }
            }
        }
    }

    /**
     * NaN, infinities and signed zeros through the activations: vector lanes and the scalar twin (which runs the
     * tails, short arrays and scalar mode) must agree bit for bit, or a NaN input stops training at one width and
     * not at another (the scalar ReLU once turned NaN into 0).
     */
    @Test void activationsTreatNaNAndZerosAlikeInLanesAndTails() {
        float[] special = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, -1e-30f, 1e-30f, -2f, 3f};
        for (int n : new int[] {special.length, 37, 64}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) x[i] = special[i % special.length];
            for (int fn : new int[] {VectorMath.RELU, VectorMath.LEAKY_RELU, VectorMath.LEAKY_RELU_GRAD}) {
                float[] v = new float[n], s = new float[n];
                VectorMath.unary(fn, x, 0, v, 0, n, 0.3f);
                ScalarMath.unary(fn, x, 0, s, 0, n, 0.3f);
                for (int i = 0; i < n; i++) assertThat(Float.floatToIntBits(v[i])).as("fn %d x=%s at %d of %d", fn, x[i], i, n).isEqualTo(Float.floatToIntBits(s[i]));
                if (fn == VectorMath.RELU) assertThat(s[0]).isNaN();
            }
        }
    }

    @Test void expHandlesExtremesAndNaN() {
        float[] x = {Float.NaN, -1000, 1000, 0, 88.7f, -86f, 1, -1, 2, 3, 4, 5, 6, 7, 8, 9};
        float[] y = new float[16];
        VectorMath.unary(VectorMath.EXP, x, 0, y, 0, 16, 0);
        assertThat(y[0]).isNaN();
        assertThat(y[1]).isEqualTo(0f);
        assertThat(y[2]).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(y[3]).isEqualTo(1f);
        assertThat((double) y[4]).isCloseTo(Math.exp(x[4]), org.assertj.core.data.Percentage.withPercentage(1e-4));
        assertThat((double) y[5]).isCloseTo(Math.exp(x[5]), org.assertj.core.data.Percentage.withPercentage(1e-4));
    }

    @Test void sumMatchesScalar() {
        Random r = new Random(5);
        for (int n : SIZES) {
            float[] a = rand(r, n, 1);
            assertThat(VectorMath.sum(a, 0, n)).isCloseTo(ScalarMath.sum(a, 0, 1, n), org.assertj.core.data.Offset.offset(1e-4));
        }
    }
}
