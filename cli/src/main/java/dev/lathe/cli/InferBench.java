package dev.lathe.cli;

import dev.lathe.kernels.Parallel;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.runtime.Session;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Batch-1 latency of a frozen model in its arena session, the way ../shared/anchors' OrtBench
 * measures ONNX Runtime: 20 warm-up runs, then the median and p90 of 200 timed runs, per thread
 * count; plus bytes allocated per call (ThreadMXBean) after the warm-up.
 */
final class InferBench {
    private InferBench() {}

    static final int WARMUP = 20, RUNS = 200;

    static void run(PrintWriter out, ModelSource.Resolved r, int[] threads) {
        InferencePlan plan = InferencePlan.freeze(r.model(), r.input());
        Session s = plan.session();
        float[] in = new float[s.inputSize()], y = new float[s.outputSize()];
        Random rnd = new Random(0);
        for (int i = 0; i < in.length; i++) in[i] = rnd.nextFloat();
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        double[] last = null;
        for (int t : threads) {
            Parallel.setThreads(t);
            // at least WARMUP runs and one second: the JIT must have compiled the vector kernels (interpreted,
            // Vector API operations allocate, which would be counted below)
            long until = System.nanoTime() + 1_000_000_000L;
            for (int i = 0; i < WARMUP || System.nanoTime() < until; i++) s.predict(in, y);
            long a0 = bean.getThreadAllocatedBytes(Thread.currentThread().threadId());
            double[] ms = new double[RUNS];
            for (int i = 0; i < RUNS; i++) {
                long t0 = System.nanoTime();
                s.predict(in, y);
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            long alloc = (bean.getThreadAllocatedBytes(Thread.currentThread().threadId()) - a0) / RUNS;
            Arrays.sort(ms);
            double p50 = (ms[RUNS / 2 - 1] + ms[RUNS / 2]) / 2, p90 = ms[RUNS * 9 / 10];
            out.printf(Locale.ROOT, "infer %s threads %d p50_ms %.3f p90_ms %.3f throughput_per_s %.0f alloc_bytes_per_call %d arena_values %d lower_bound %d%n",
                    r.description().split(" ")[0], t, p50, p90, 1000 / p50, alloc, plan.memoryPlan().arenaSize(), plan.memoryPlan().lowerBound());
            out.flush();
            last = new double[] {p50, p90};
        }
        out.printf(Locale.ROOT, "result p50_ms=%.3f p90_ms=%.3f throughput_per_s=%.0f%n", last[0], last[1], 1000 / last[0]);
    }
}
