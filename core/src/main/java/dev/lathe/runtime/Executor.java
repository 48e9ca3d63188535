package dev.lathe.runtime;

import dev.lathe.kernels.Parallel;
import java.util.function.IntConsumer;

/**
 * What the fp32 {@link Session} and the int8 {@link QuantizedSession} share: a kernel thread cap for
 * the caller's calls, the input size check, running the compiled steps in order, a per-step profile
 * and the warm-up that compiles the vector kernels before the first real request. Each executor owns
 * its arena and its steps; this class owns nothing but the thread count.
 */
public abstract sealed class Executor permits Session, QuantizedSession {
    /** Kernel threads for this executor's calls (0 = the global {@link Parallel} setting). */
    final int threads;

    Executor(int threads) {
        if (threads < 0) throw new IllegalArgumentException("session threads must be >= 0, got " + threads);
        this.threads = threads;
    }

    public int threads() { return threads; }

    /** Values one sample has. */
    public abstract int inputSize();

    /** Values of the one output (an error when a model has several). */
    public abstract int outputSize();

    /** One sample in, its output written to {@code out} (a model with one output). */
    public abstract void predict(float[] in, float[] out);

    /** A call on a zero input with its outputs copied out, as a real call makes it: what {@link #warmUp} repeats. */
    Runnable zeroCall() {
        float[] in = new float[inputSize()], out = new float[outputSize()];
        return () -> predict(in, out);
    }

    /** Refuses an input of the wrong length, naming both lengths. */
    final void requireInput(float[] in, String what) {
        if (in.length != inputSize()) throw new IllegalArgumentException(what + ": input has " + in.length + " values, the model takes " + inputSize());
    }

    /** The steps 0 .. n-1 in order, with this executor's kernel thread cap on the calling thread. */
    final void runSteps(int n, IntConsumer step) {
        int previous = Parallel.limitCallerTo(threads);
        try {
            for (int i = 0; i < n; i++) step.accept(i);
        } finally {
            Parallel.limitCallerTo(previous);
        }
    }

    /** Mean ms per step over runs: prepare, then each step timed on its own. */
    final double[] profile(int steps, int runs, Runnable prepare, IntConsumer step) {
        long[] ns = new long[steps];
        int previous = Parallel.limitCallerTo(threads);
        try {
            for (int r = 0; r < runs; r++) {
                prepare.run();
                for (int i = 0; i < steps; i++) {
                    long t0 = System.nanoTime();
                    step.accept(i);
                    ns[i] += System.nanoTime() - t0;
                }
            }
        } finally {
            Parallel.limitCallerTo(previous);
        }
        double[] ms = new double[steps];
        for (int i = 0; i < steps; i++) ms[i] = ns[i] / 1e6 / runs;
        return ms;
    }

    /** What {@link #warmUp} did: calls made, seconds spent, bytes the last calls allocated each (-1: not measurable here), whether it settled within the budget. */
    public record WarmUp(int calls, double seconds, long bytesPerCall, boolean settled) {}

    /** Bytes a call may allocate once compiled: the 2-thread pool's task objects are ~3 KB; interpreted or C1 vector code allocates tens of KB. */
    static final long SETTLED_BYTES = 16 * 1024;

    /**
     * Runs predictions on a zero input until the vector kernels are compiled, or the budget is spent,
     * for an embedder that wants its first real request at full speed: in a fresh JVM the kernels run
     * interpreted or as C1 code (Vector API operations not intrinsified, each allocating) for the
     * first one to several seconds, and a kernel C1 cannot compile runs interpreted until C2 takes it.
     * Settled means ten calls in a row allocated under 16 KB each on this thread, after at least 50
     * calls; where the JVM cannot count allocations, the whole budget is used.
     */
    public WarmUp warmUp(java.time.Duration budget) {
        if (budget == null || budget.isNegative() || budget.isZero()) throw new IllegalArgumentException("warmUp: budget must be positive, got " + budget);
        return warmUp(zeroCall(), 50, 0, budget.toNanos());
    }

    /**
     * The warm-up loop itself (also {@code lathe bench infer}'s): call in tens until at least minCalls
     * calls and minNanos have passed and ten calls in a row allocated under {@link #SETTLED_BYTES}
     * each on this thread, or maxNanos have passed.
     */
    public static WarmUp warmUp(Runnable call, int minCalls, long minNanos, long maxNanos) {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean bytes = mx instanceof com.sun.management.ThreadMXBean b && b.isThreadAllocatedMemorySupported() && b.isThreadAllocatedMemoryEnabled() ? b : null;
        long start = System.nanoTime(), end = start + maxNanos, last = -1;
        int calls = 0;
        while (System.nanoTime() < end) {
            long b0 = bytes == null ? 0 : bytes.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10; i++) call.run();
            calls += 10;
            if (bytes == null) continue;
            last = (bytes.getCurrentThreadAllocatedBytes() - b0) / 10;
            if (calls >= minCalls && System.nanoTime() - start >= minNanos && last < SETTLED_BYTES) return new WarmUp(calls, (System.nanoTime() - start) / 1e9, last, true);
        }
        return new WarmUp(calls, (System.nanoTime() - start) / 1e9, last, false);
    }
}
