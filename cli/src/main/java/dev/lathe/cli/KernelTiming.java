package dev.lathe.cli;

import dev.lathe.kernels.Parallel;
import java.util.function.IntConsumer;

/** What the kernel benchmarks share: timing a call after warm-up, and running at each thread count. */
final class KernelTiming {
    private KernelTiming() {}

    /**
     * Seconds per call: calls for {@code warmFraction * seconds} first (the JIT needs ~0.5 s of calls
     * to reach full speed), then counts calls for {@code seconds}.
     */
    static double secondsPerCall(Runnable call, double seconds, double warmFraction) {
        long warm = System.nanoTime() + (long) (seconds * warmFraction * 1e9);
        while (System.nanoTime() < warm) call.run();
        long n = 0, t0 = System.nanoTime(), end = t0 + (long) (seconds * 1e9);
        do {
            call.run();
            n++;
        } while (System.nanoTime() < end);
        return (System.nanoTime() - t0) / 1e9 / n;
    }

    /** Runs body once per thread count with the kernel pool set to it; restores the previous count. */
    static void atEachThreadCount(int[] threads, IntConsumer body) {
        int before = Parallel.threads();
        try {
            for (int t : threads) {
                Parallel.setThreads(t);
                body.accept(t);
            }
        } finally {
            Parallel.setThreads(before);
        }
    }
}
