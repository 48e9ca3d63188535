package dev.lathe.kernels;

import static dev.lathe.kernels.VectorMath.*;

/** Scalar twins of {@link VectorMath}: any stride, plain loops, the reference the tests check against. */
public final class ScalarMath {
    private ScalarMath() {}

    public static void binary(int op, float[] a, int ao, int sa, float[] b, int bo, int sb, float[] c, int co, int n) {
        for (int i = 0; i < n; i++) {
            float x = a[ao + i * sa], y = b[bo + i * sb];
            c[co + i] = (float) applyBinary(op, x, y);
        }
    }

    public static void unary(int fn, float[] a, int ao, float[] c, int co, int n, float p) {
        for (int i = 0; i < n; i++) c[co + i] = (float) applyUnary(fn, a[ao + i], p);
    }

    public static double sum(float[] a, int ao, int stride, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += a[ao + i * stride];
        return s;
    }

    /** The binary operation on doubles: shared by float32 twins and the float64 path. */
    public static double applyBinary(int op, double x, double y) {
        return switch (op) {
            case ADD -> x + y;
            case SUB -> x - y;
            case MUL -> x * y;
            case DIV -> x / y;
            case GREATER -> x > y ? 1 : 0;
            case RELU_MASK -> y > 0 ? x : 0;
            default -> throw new IllegalArgumentException("unknown binary kernel " + op);
        };
    }

    /** The unary function on doubles: shared by float32 twins and the float64 path. */
    public static double applyUnary(int fn, double x, double p) {
        return switch (fn) {
            case SCALE -> x * p;
            case SHIFT -> x + p;
            case RELU -> Math.max(x, 0.0);  // as the vector max: NaN stays NaN (a NaN input must still stop training)
            case LEAKY_RELU -> Math.max(x, 0.0) + Math.min(x, 0.0) * p;  // the vector formula: the same NaN and signed zero
            case LEAKY_RELU_GRAD -> x <= 0 ? p : 1;  // as the vector blend: NaN takes 1
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
            case POW -> p == 2 ? x * x : Math.pow(x, p);
            default -> throw new IllegalArgumentException("unknown unary kernel " + fn);
        };
    }
}
