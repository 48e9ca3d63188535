package dev.lathe.cli;

import dev.lathe.kernels.Gemm;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Random;

/**
 * Square SGEMM throughput, printed as {@code gemm threads T n N gflops G} — the same line format as
 * {@code ../shared/anchors/gemm-ceiling.sh} prints for OpenBLAS, so the two can be joined per size.
 * Each size is warmed up first (the JIT needs ~0.5 s of calls to reach full speed).
 */
final class GemmBench {
    private GemmBench() {}

    static void run(PrintWriter out, int[] sizes, int[] threads, double seconds) {
        KernelTiming.atEachThreadCount(threads, t -> {
            for (int n : sizes) out.printf(Locale.ROOT, "gemm threads %d n %d gflops %.1f%n", t, n, measure(n, seconds));
        });
    }

    static double measure(int n, double seconds) {
        Random r = new Random(n);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
            b[i] = r.nextFloat() - 0.5f;
        }
        double s = KernelTiming.secondsPerCall(() -> Gemm.sgemm(n, n, n, 1f, a, 0, n, 1, b, 0, n, 1, 0f, c, 0, n), seconds, 0.6);
        return 2.0 * n * n * n / s / 1e9;
    }
}
