package dev.lathe.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The one worker pool all kernels share, sized to the cores ({@code -Dlathe.threads=N} or
 * {@link #setThreads}). The caller always takes parts itself, so the pool holds threads - 1
 * persistent workers. Hand-off is a volatile generation counter the workers spin on for a short
 * while before parking: an executor submit plus future costs tens of microseconds per call, which
 * measured as 0.75x OpenBLAS at n=256 on two threads.
 *
 * <p>One parallel region runs at a time; a caller that finds the pool busy (another thread's
 * kernel) runs all parts itself, so kernels stay safe to call from several threads.
 */
public final class Parallel {
    private Parallel() {}

    /**
     * How long an idle worker spins before parking: long enough to bridge back-to-back kernel calls.
     * Alternating in one JVM (2 threads): 200 us against 20 us, Fashion CNN 0.117 vs 0.126 ms,
     * MobileNetV2 6.95 vs 7.13; against 2 us 0.145 vs 0.160.
     */
    private static final long SPIN_NANOS = 200_000;

    private static volatile int threads = initialThreads();
    private static Pool pool;
    /** Not reentrant on purpose: a kernel called inside a parallel part must run on its own thread. */
    private static final java.util.concurrent.atomic.AtomicBoolean BUSY = new java.util.concurrent.atomic.AtomicBoolean();

    private static int initialThreads() {
        String p = System.getProperty("lathe.threads");
        if (p == null) return Runtime.getRuntime().availableProcessors();
        try {
            int t = Integer.parseInt(p.trim());
            if (t >= 1) return t;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("lathe.threads must be a positive integer, got '" + p + "'", e);
        }
        throw new IllegalArgumentException("lathe.threads must be a positive integer, got '" + p + "'");
    }

    /** A per-thread cap set by {@link #limitCallerTo} (0 = none): an inference session's own thread count. */
    private static final ThreadLocal<int[]> LOCAL = ThreadLocal.withInitial(() -> new int[1]);

    /** Threads kernels called from this thread may use (including the caller). */
    public static int threads() {
        int local = LOCAL.get()[0];
        return local > 0 ? local : threads;
    }

    /**
     * Sets the thread count for kernels called from the current thread only (0 = back to the global
     * setting); returns the previous value so callers can restore it. The pool grows to the largest
     * count asked for. An inference session uses this for its own thread count.
     */
    public static int limitCallerTo(int t) {
        if (t < 0) throw new IllegalArgumentException("threads must be >= 0, got " + t);
        int[] cell = LOCAL.get();
        int old = cell[0];
        cell[0] = t;
        return old;
    }

    /** Sets the kernel thread count (1 = run everything on the caller). */
    public static void setThreads(int t) {
        if (t < 1) throw new IllegalArgumentException("threads must be >= 1, got " + t);
        while (!BUSY.compareAndSet(false, true)) Thread.onSpinWait();
        try {
            threads = t;
            if (pool != null) {
                pool.shutdown();
                pool = null;
            }
        } finally {
            BUSY.set(false);
        }
    }

    /**
     * Runs every part, in parallel when the pool is free; returns when all are done. The caller and
     * the workers claim parts in turn (any part may run on any of them). A part's exception is
     * rethrown here after all parts finish.
     */
    public static void run(Runnable... parts) {
        int t = threads();
        if (parts.length == 1 || t == 1 || !BUSY.compareAndSet(false, true)) {
            for (Runnable r : parts) r.run();
            return;
        }
        try {
            if (pool == null || pool.size() < t - 1) {
                if (pool != null) pool.shutdown();
                pool = new Pool(t - 1);
            }
            pool.run(parts);
        } finally {
            BUSY.set(false);
        }
    }

    /** Whether {@link #forRange} with these arguments would use more than one thread (callers skip building its task when not). */
    public static boolean worthSplitting(int n, long workPerItem, long minWork) { return parts(n, workPerItem, minWork) > 1; }

    private static int parts(int n, long workPerItem, long minWork) {
        return (int) Math.min(threads(), Math.max(1, Math.min(n, (long) n * workPerItem / Math.max(1, minWork))));
    }

    /** Splits [0, n) into at most {@link #threads()} contiguous ranges and runs body(from, to) on each. */
    public static void forRange(int n, long workPerItem, long minWork, RangeBody body) {
        int parts = parts(n, workPerItem, minWork);
        if (parts <= 1) {
            body.run(0, n);
            return;
        }
        Runnable[] jobs = new Runnable[parts];
        for (int t = 0; t < parts; t++) {
            int from = (int) ((long) n * t / parts), to = (int) ((long) n * (t + 1) / parts);
            jobs[t] = () -> body.run(from, to);
        }
        run(jobs);
    }

    /** A loop body over [from, to). */
    @FunctionalInterface
    public interface RangeBody { void run(int from, int to); }

    /**
     * Workers that claim parts instead of being assigned them: the caller and every worker take the
     * next unclaimed part until none is left, and the caller returns when every part is done — not
     * when every worker has checked in. On this VM a worker is sometimes descheduled for a
     * millisecond; with one fixed part per thread the whole step waited for it (MobileNetV2 at
     * 2 threads: 4.8 ms summed over steps, 5.7-7.8 ms p50 per call), now the caller runs that part.
     * A worker that wakes up late finds nothing to claim in the old region and goes back to waiting.
     */
    private static final class Pool {
        private final Thread[] workers;

        /**
         * One parallel region: its parts, which are claimed (a bit each), how many are done, a part's
         * failure. Each thread first tries the part it had in the last region of the same size (the
         * caller the last part, worker i part i): a layer's rows then stay on the core whose L2 holds
         * them from the layer before (measured, 2 threads, alternating in one JVM: MobileNetV2 6.08 vs
         * 6.35 ms, the Fashion CNN 0.148 vs 0.151 without). Regions of more than 64 parts are claimed in order.
         */
        private static final class Job {
            final long generation;
            final Runnable[] parts;
            final java.util.concurrent.atomic.AtomicLong claimed = new java.util.concurrent.atomic.AtomicLong();
            final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
            volatile Throwable failure;

            Job(long generation, Runnable[] parts) {
                this.generation = generation;
                this.parts = parts;
            }

            /** Runs unclaimed parts, the preferred one first, until none is left. */
            void drain(int preferred) {
                int n = parts.length;
                if (n > 64) {
                    for (int i; (i = next.getAndIncrement()) < n; ) runPart(i);
                    return;
                }
                if (preferred >= 0 && preferred < n && claim(preferred)) runPart(preferred);
                for (int i = 0; i < n; i++) if (claim(i)) runPart(i);
            }

            private boolean claim(int i) {
                long bit = 1L << i;
                for (long c = claimed.get(); (c & bit) == 0; c = claimed.get()) if (claimed.compareAndSet(c, c | bit)) return true;
                return false;
            }

            private void runPart(int i) {
                try {
                    parts[i].run();
                } catch (Throwable t) {
                    failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        private volatile Job job = new Job(0, new Runnable[0]);
        private volatile boolean stopped;
        private final boolean[] parked;

        Pool(int n) {
            workers = new Thread[n];
            parked = new boolean[n];
            for (int i = 0; i < n; i++) {
                int index = i;
                workers[i] = new Thread(() -> loop(index), "lathe-kernel-" + (i + 1));
                workers[i].setDaemon(true);
                workers[i].start();
            }
        }

        int size() { return workers.length; }

        void run(Runnable[] parts) {
            Job j = new Job(job.generation + 1, parts);
            job = j;
            int helpers = Math.min(parts.length - 1, workers.length);
            for (int i = 0; i < helpers; i++) {
                if (isParked(i)) LockSupport.unpark(workers[i]);
            }
            j.drain(parts.length - 1);
            while (j.done.get() < parts.length) Thread.onSpinWait();
            Throwable f = j.failure;
            if (f instanceof RuntimeException r) throw r;
            if (f instanceof Error e) throw e;
            if (f != null) throw new IllegalStateException("kernel worker failed", f);
        }

        private synchronized boolean isParked(int i) { return parked[i]; }

        private synchronized void setParked(int i, boolean v) { parked[i] = v; }

        private void loop(int index) {
            long seen = 0;
            while (!stopped) {
                Job j = job;
                if (j.generation == seen) {
                    long until = System.nanoTime() + SPIN_NANOS;
                    while (job.generation == seen && !stopped && System.nanoTime() < until) Thread.onSpinWait();
                    if (job.generation == seen && !stopped) {
                        setParked(index, true);
                        if (job.generation == seen && !stopped) LockSupport.park(this);
                        setParked(index, false);
                    }
                    continue;
                }
                seen = j.generation;
                j.drain(index);
            }
        }

        void shutdown() {
            stopped = true;
            for (Thread w : workers) LockSupport.unpark(w);
        }
    }
}
