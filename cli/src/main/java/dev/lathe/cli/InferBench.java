package dev.lathe.cli;

import dev.lathe.autograd.GradMode;
import dev.lathe.kernels.Parallel;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.runtime.Session;
import dev.lathe.tensor.Tensor;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Latency of a frozen model, the way ../shared/anchors' OrtBench measures ONNX Runtime: at least 20
 * warm-up runs (and two seconds), then the median and p90 of 200 timed runs, per thread count; plus
 * bytes allocated per call (ThreadMXBean) after the warm-up. Batch 1 runs the arena session with its
 * own thread count; a larger batch runs the frozen plan's batched tensor kernels.
 */
final class InferBench {
    private InferBench() {}

    static final int WARMUP = 20, RUNS = 200;
    /** At least this long warming up per thread count: the first 2-thread run of a process was still partly interpreted after one second (tens of KB allocated per call). */
    static final long WARMUP_NANOS = 2_000_000_000L;
    /** Warm-up continues (up to this) while a call allocates like uncompiled vector code ({@link Session#warmUp}). */
    static final long WARMUP_MAX_NANOS = 10_000_000_000L;

    static void run(PrintWriter out, ModelSource.Resolved r, int[] threads, int batch, boolean profile, boolean int8) {
        InferencePlan plan = r.plan();
        if (int8 && batch != 1) throw new IllegalArgumentException("--int8 times batch 1 (the int8 session); drop --batch");
        dev.lathe.runtime.QuantizedPlan qp = int8 ? dev.lathe.runtime.QuantizedPlan.quantize(plan,
                Tensor.normal(new Random(1), 0, 1, plan.input().with(0, 100).dims()), dev.lathe.runtime.QuantizedPlan.Calibration.MINMAX) : null;
        Random rnd = new Random(0);
        double[] last = null;
        for (int t : threads) {
            Runnable call;
            Session s = plan.session(t);
            float[] in = new float[s.inputSize() * batch], y = new float[s.outputSize()];
            for (int i = 0; i < in.length; i++) in[i] = rnd.nextFloat();
            if (batch == 1) {
                call = () -> s.predict(in, y);
            } else {
                Tensor x = Tensor.of(in, plan.input().with(0, batch).dims());
                call = () -> {
                    int previous = Parallel.limitCallerTo(t);
                    try (GradMode.Scope g = GradMode.noGrad()) {
                        plan.run(x);
                    } finally {
                        Parallel.limitCallerTo(previous);
                    }
                };
            }
            double[] tm = time(call);
            double p50 = tm[0], p90 = tm[1];
            long alloc = (long) tm[2];
            out.printf(Locale.ROOT, "infer %s threads %d p50_ms %.3f p90_ms %.3f throughput_per_s %.0f alloc_bytes_per_call %d arena_values %d lower_bound %d batch %d%n",
                    r.description().split(" ")[0], t, p50, p90, batch * 1000 / p50, alloc, s.memoryPlan().arenaSize(), s.memoryPlan().lowerBound(), batch);
            if (profile && batch == 1) printProfile(out, plan, s.profile(in, RUNS), p50);
            if (qp != null) {
                dev.lathe.runtime.QuantizedSession q = qp.session(t);
                float[] yq = new float[q.outputSize()];
                double[] t8 = time(() -> q.predict(in, yq));
                out.printf(Locale.ROOT, "infer %s int8 threads %d p50_ms %.3f p90_ms %.3f throughput_per_s %.0f fp32/int8 %.2f%n",
                        r.description().split(" ")[0], t, t8[0], t8[1], 1000 / t8[0], p50 / t8[0]);
                if (profile) {
                    double[] steps = q.profile(in, RUNS);
                    for (int i = 0; i < steps.length; i++) out.printf(Locale.ROOT, "  int8 step %-22s %-8s %8.4f ms%n", q.plan().steps().get(i).name(), dev.lathe.runtime.QStep.kind(q.plan().steps().get(i)), steps[i]);
                }
            }
            out.flush();
            last = new double[] {p50, p90, batch * 1000 / p50};
        }
        out.printf(Locale.ROOT, "result p50_ms=%.3f p90_ms=%.3f throughput_per_s=%.0f%n", last[0], last[1], last[2]);
    }

    /**
     * {p50 ms, p90 ms, bytes allocated per call} of RUNS timed calls after the warm-up: at least WARMUP
     * runs and WARMUP_NANOS, so the JIT has compiled the vector kernels (interpreted, Vector API
     * operations allocate, which would be counted).
     */
    static double[] time(Runnable call) {
        // WARMUP calls and WARMUP_NANOS at least, then on until a call no longer allocates like interpreted or
        // C1 vector code (boxed vectors): MobileNetV2's 2-thread paths still allocated 40-60 KB a call after two seconds
        Session.warmUp(call, WARMUP, WARMUP_NANOS, WARMUP_MAX_NANOS);
        var bean = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long a0 = bean.getThreadAllocatedBytes(Thread.currentThread().threadId());
        double[] ms = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long t0 = System.nanoTime();
            call.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        long alloc = (bean.getThreadAllocatedBytes(Thread.currentThread().threadId()) - a0) / RUNS;
        Arrays.sort(ms);
        return new double[] {(ms[RUNS / 2 - 1] + ms[RUNS / 2]) / 2, ms[RUNS * 9 / 10], alloc};
    }

    private static void printProfile(PrintWriter out, InferencePlan plan, double[] ms, double p50) {
        double total = Arrays.stream(ms).sum();
        for (int i = 0; i < ms.length; i++) {
            dev.lathe.ir.Node st = plan.steps().get(i);
            out.printf(Locale.ROOT, "  step %-28s %-36s %8.4f ms %5.1f%%%n", st.name(), st.op(), ms[i], 100 * ms[i] / total);
        }
        out.printf(Locale.ROOT, "  steps total %.3f ms (p50 of whole calls %.3f ms)%n", total, p50);
    }
}
