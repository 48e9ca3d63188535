package dev.lathe.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The packed GEMM against the triple-loop reference, at awkward sizes, every transpose, alpha and beta. */
class GemmTest {
    @AfterEach void restoreThreads() { Parallel.setThreads(Runtime.getRuntime().availableProcessors()); }

    static void compare(int m, int n, int k, boolean ta, boolean tb, float alpha, float beta, long seed) {
        Random r = new Random(seed);
        float[] a = new float[m * k + 3], b = new float[k * n + 5], c = new float[m * n + 7];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        for (int i = 0; i < c.length; i++) c[i] = (float) r.nextGaussian();
        float[] ref = c.clone();
        // A stored m x k (or k x m when transposed); offsets exercise non-zero starts
        int ars = ta ? 1 : k, acs = ta ? m : 1, brs = tb ? 1 : n, bcs = tb ? k : 1;
        Gemm.sgemm(m, n, k, alpha, a, 3, ars, acs, b, 5, brs, bcs, beta, c, 7, n);
        GemmReference.sgemm(m, n, k, alpha, a, 3, ars, acs, b, 5, brs, bcs, beta, ref, 7, n);
        for (int i = 0; i < c.length; i++) {
            double tol = 1e-4 * Math.sqrt(k + 1) * (1 + Math.abs(ref[i]));
            assertThat((double) c[i]).as("m=%d n=%d k=%d ta=%b tb=%b at %d", m, n, k, ta, tb, i).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(tol));
        }
    }

    @Test void awkwardSizesAllTransposes() {
        int[] sizes = {1, 3, 7, 31, 65, 257};
        long seed = 0;
        for (int m : sizes) for (int n : new int[] {1, 7, 33, 257}) for (int k : new int[] {1, 31, 300}) {
            for (boolean ta : new boolean[] {false, true}) for (boolean tb : new boolean[] {false, true}) {
                compare(m, n, k, ta, tb, 1f, 0f, seed++);
            }
        }
    }

    /** One row times a transposed matrix (a dense layer on one sample) takes the dot-product path. */
    @Test void rowTimesColumnsWithAlphaBetaAndBothThreadCounts() {
        for (int t : new int[] {1, 2}) {
            Parallel.setThreads(t);
            compare(1, 257, 300, false, true, 0.5f, 2f, 99);
            compare(1, 4099, 784, false, true, 1f, 0f, 100);
        }
    }

    /** Pre-packed A (inference weights) against the reference: several K and M blocks, epilogue, beta 0 and 1, both thread counts. */
    @Test void prePackedAMatchesReference() {
        float[] bias = new float[400];
        for (int i = 0; i < bias.length; i++) bias[i] = i * 0.01f - 1;
        for (int t = 1; t <= 2; t++) {
            Parallel.setThreads(t);
            long seed = 40 + t;
            for (int[] mnk : new int[][] {{1280, 49, 320}, {96, 1100, 16}, {13, 7, 600}, {300, 196, 257}, {8, 32, 3}, {1, 40, 64}}) {
                for (float beta : new float[] {0f, 1f}) {
                    int m = mnk[0], n = mnk[1], k = mnk[2];
                    Random r = new Random(seed++);
                    float[] a = new float[m * k + 2], b = new float[k * n + 1], c = new float[m * n];
                    for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
                    for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
                    for (int i = 0; i < c.length; i++) c[i] = (float) r.nextGaussian();
                    float[] ref = c.clone();
                    Epilogue ep = m <= bias.length ? Epilogue.rowBias(bias, 0, Epilogue.RELU) : Epilogue.activation(Epilogue.RELU);
                    Gemm.sgemm(Gemm.pack(m, k, a, 2, k, 1), n, b, 1, n, 1, beta, c, 0, n, ep);
                    GemmReference.sgemm(m, n, k, 1f, a, 2, k, 1, b, 1, n, 1, beta, ref, 0, n);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double want = Math.max(0, ref[i * n + j] + (m <= bias.length ? bias[i] : 0));
                            assertThat((double) c[i * n + j]).as("m=%d n=%d k=%d beta=%s threads=%d at (%d,%d)", m, n, k, beta, t, i, j)
                                    .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-4 * Math.sqrt(k + 1) * (1 + Math.abs(want))));
                        }
                    }
                }
            }
        }
    }

    @Test void alphaBetaAccumulate() {
        compare(65, 130, 70, false, false, 0.5f, 1f, 1);
        compare(40, 50, 600, true, false, -2f, 0.25f, 2);
        compare(17, 33, 9, false, true, 1f, 1f, 3);
    }

    @Test void largerThanOneCacheBlockAndThreaded() {
        for (int t = 1; t <= 2; t++) {
            Parallel.setThreads(t);
            compare(300, 1100, 520, false, false, 1f, 0f, 10 + t);
            compare(64, 784, 256, false, true, 1f, 0f, 20 + t);
            compare(784, 256, 64, true, false, 1f, 0f, 30 + t);
        }
    }

    @Test void epilogueAddsBiasAndActivationOnEveryPart() {
        for (int threads = 1; threads <= 2; threads++) {
            Parallel.setThreads(threads);
            for (int[] mnk : new int[][] {{5, 7, 3}, {130, 70, 300}, {40, 600, 200}}) {
                int m = mnk[0], n = mnk[1], k = mnk[2];
                Random r = new Random(m + n + k);
                float[] a = new float[m * k], b = new float[k * n], rowB = new float[m], colB = new float[n];
                for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
                for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
                for (int i = 0; i < m; i++) rowB[i] = (float) r.nextGaussian() * 5;
                for (int i = 0; i < n; i++) colB[i] = (float) r.nextGaussian() * 5;
                float[] plain = new float[m * n];
                GemmReference.sgemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, plain, 0, n);
                for (int act : new int[] {Epilogue.NONE, Epilogue.RELU, Epilogue.RELU6}) {
                    for (boolean perRow : new boolean[] {true, false}) {
                        float[] c = new float[m * n];
                        Gemm.sgemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, new Epilogue(perRow ? rowB : colB, 0, perRow, act));
                        for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
                            double v = plain[i * n + j] + (perRow ? rowB[i] : colB[j]);
                            if (act != Epilogue.NONE) v = Math.max(v, 0);
                            if (act == Epilogue.RELU6) v = Math.min(v, 6);
                            assertThat((double) c[i * n + j]).as("m%d n%d k%d act %d row %b at %d,%d", m, n, k, act, perRow, i, j)
                                    .isCloseTo(v, org.assertj.core.data.Offset.offset(1e-3 * Math.sqrt(k) * (1 + Math.abs(v))));
                        }
                    }
                }
            }
        }
    }

    @Test void sameResultWithOneOrTwoThreads() {
        Random r = new Random(9);
        int m = 128, n = 256, k = 300;
        float[] a = new float[m * k], b = new float[k * n];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        float[] c1 = new float[m * n], c2 = new float[m * n];
        Parallel.setThreads(1);
        Gemm.sgemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c1, 0, n);
        Parallel.setThreads(2);
        Gemm.sgemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c2, 0, n);
        assertThat(c2).containsExactly(c1);
    }
}
