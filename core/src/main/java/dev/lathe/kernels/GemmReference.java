package dev.lathe.kernels;

/**
 * Scalar twin of {@link Gemm}: the plain triple loop, any strides, double accumulation. It is the
 * oracle in the GEMM tests and the kernel used under {@code -Dlathe.scalar=true}.
 */
public final class GemmReference {
    private GemmReference() {}

    /** C = alpha * A * B + beta * C with A(i,p) = a[ao + i*ars + p*acs], B(p,j) = b[bo + p*brs + j*bcs], C row-major with ldc. */
    public static void sgemm(int m, int n, int k, float alpha,
                             float[] a, int ao, int ars, int acs,
                             float[] b, int bo, int brs, int bcs,
                             float beta, float[] c, int co, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a[ao + i * ars + p * acs] * b[bo + p * brs + j * bcs];
                int ci = co + i * ldc + j;
                c[ci] = (float) (alpha * s + (beta == 0 ? 0 : beta * c[ci]));
            }
        }
    }

    /** The same product in float64, for gradient checks. */
    public static void dgemm(int m, int n, int k, double[] a, int ao, int ars, int acs,
                             double[] b, int bo, int brs, int bcs, double[] c, int co, int ldc) {
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += a[ao + i * ars + p * acs] * b[bo + p * brs + j * bcs];
                c[co + i * ldc + j] = s;
            }
        }
    }
}
