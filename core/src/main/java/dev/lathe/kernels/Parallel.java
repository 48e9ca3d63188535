package dev.lathe.kernels;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The one worker pool all kernels share, sized to the cores ({@code -Dlathe.threads=N} or
 * {@link #setThreads}). The caller always runs one part itself, so the pool holds threads - 1 workers.
 */
public final class Parallel {
    private Parallel() {}

    private static volatile int threads = initialThreads();
    private static volatile ExecutorService pool;

    private static int initialThreads() {
        String p = System.getProperty("lathe.threads");
        int cores = Runtime.getRuntime().availableProcessors();
        if (p == null) return cores;
        try {
            int t = Integer.parseInt(p.trim());
            if (t >= 1) return t;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("lathe.threads must be a positive integer, got '" + p + "'", e);
        }
        throw new IllegalArgumentException("lathe.threads must be a positive integer, got '" + p + "'");
    }

    /** Threads kernels may use (including the caller). */
    public static int threads() { return threads; }

    /** Sets the kernel thread count (1 = run everything on the caller). */
    public static synchronized void setThreads(int t) {
        if (t < 1) throw new IllegalArgumentException("threads must be >= 1, got " + t);
        threads = t;
        if (pool != null) {
            pool.shutdown();
            pool = null;
        }
    }

    static Future<?> submit(Runnable job) { return executor().submit(job); }

    static void join(Future<?>[] futures) {
        for (Future<?> f : futures) {
            if (f == null) continue;
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a kernel worker", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new IllegalStateException("kernel worker failed", e.getCause());
            }
        }
    }

    private static ExecutorService executor() {
        ExecutorService p = pool;
        if (p != null) return p;
        synchronized (Parallel.class) {
            if (pool == null) {
                pool = Executors.newFixedThreadPool(Math.max(1, threads - 1), r -> {
                    Thread t = new Thread(r, "lathe-kernel");
                    t.setDaemon(true);
                    return t;
                });
            }
            return pool;
        }
    }
}
