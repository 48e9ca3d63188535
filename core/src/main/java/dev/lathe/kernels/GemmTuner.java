package dev.lathe.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * A short measured search for this host's {@link GemmBlocking}, a few seconds: first the register tile
 * (8, 6 or 4 rows: whether the host has the registers for 16 accumulators cannot be read from the species)
 * and KC on one thread, then MC and NC together on all the pool's threads, because the blocks that suit one
 * core did not suit two sharing L3 (NC 2048 chosen on one thread: 0.67-0.70x OpenBLAS at n >= 1024 on two). Candidates are timed round-robin, each keeping
 * its best call, because this kind of VM changes speed by up to 2x from one minute to the next: a
 * slow minute then hits every candidate alike. A candidate replaces the current choice only when it is
 * more than {@link #MARGIN} faster, so noise does not move a good default.
 */
public final class GemmTuner {
    private GemmTuner() {}

    /** Gain a candidate needs over the current choice to replace it. */
    static final double MARGIN = 0.02;
    /**
     * The same for the tile, whose choice matters most and whose start already follows the register count where it
     * can be known (8 rows at 16 lanes): on this VM the same kernel read 100 to 162 GFLOPS from one run to the next.
     * A 12-row tile (24 accumulators) was tried too: ahead in the tuner in two runs of three, 30% behind in the
     * benchmark right after (C2 spilled it where inlined with the rest of the product), so it was left out.
     */
    static final double TILE_MARGIN = 0.05;
    private static final int ROUNDS = 5;
    /** Warm-up per candidate before the timed rounds. */
    private static final long WARM_NANOS = 60_000_000L;

    /** The blocking found from start, each stage's figures sent to log. Scalar mode has nothing to tune. */
    public static GemmBlocking tune(GemmBlocking start, Consumer<String> log) {
        if (Kernels.SCALAR) return start;
        long t0 = System.nanoTime();
        GemmBlocking best = start;
        List<GemmBlocking> tiles = new ArrayList<>();
        for (int rows : GemmBlocking.TILE_ROWS) tiles.add(best.withTile(rows, "tile"));
        best = pick("tile", tiles, best, 512, TILE_MARGIN, false, log);
        List<GemmBlocking> depths = new ArrayList<>();
        for (int kc : new int[] {128, 192, 256, 320, 384, 512}) depths.add(best.withKc(kc, "kc"));
        best = pick("kc", depths, best, 512, MARGIN, false, log);
        List<GemmBlocking> blocks = new ArrayList<>();
        for (int mc : new int[] {64, 128, 192, 256}) for (int nc : new int[] {256, 512, 1024}) blocks.add(best.withMcNc(mc, nc / Gemm.NR * Gemm.NR, "mc,nc"));
        best = pick("mc,nc", blocks, best, 1024, MARGIN, true, log);
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new GemmBlocking(best.mr(), best.kc(), best.mc(), best.nc(),
                String.format(Locale.ROOT, "measured in %.1f s from %s", seconds, start.source()));
    }

    private static void run(GemmBlocking bk, int n, float[] a, float[] b, float[] c, boolean allThreads) {
        if (allThreads) Gemm.sgemmWith(bk, n, n, n, a, b, c);
        else Gemm.sgemmOneThread(bk, n, n, n, a, b, c);
    }

    /** The fastest of the candidates on an n-cube product, or current unless one beats it by the margin. */
    private static GemmBlocking pick(String stage, List<GemmBlocking> candidates, GemmBlocking current, int n, double margin, boolean allThreads, Consumer<String> log) {
        Random r = new Random(n);
        float[] a = new float[n * n], b = new float[n * n], c = new float[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat() - 0.5f;
            b[i] = r.nextFloat() - 0.5f;
        }
        List<GemmBlocking> all = new ArrayList<>(List.of(current));
        for (GemmBlocking bk : candidates) if (all.stream().noneMatch(x -> x.sameBlocks(bk))) all.add(bk);
        double[] best = new double[all.size()];
        java.util.Arrays.fill(best, Double.MAX_VALUE);
        int reps = Math.max(1, (int) (3e7 / ((double) n * n * n)));  // ~30M multiply-adds a timing: a few ms
        // compiled before any timing: C2 needs thousands of tile calls (the tile stage, first, measured 0.6x its warm speed on one warm-up call)
        for (GemmBlocking bk : all) {
            long until = System.nanoTime() + WARM_NANOS;
            do run(bk, n, a, b, c, allThreads); while (System.nanoTime() < until);
        }
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < all.size(); i++) {
                long t = System.nanoTime();
                for (int rep = 0; rep < reps; rep++) run(all.get(i), n, a, b, c, allThreads);
                best[i] = Math.min(best[i], (System.nanoTime() - t) / (double) reps);
            }
        }
        int fastest = 0;
        for (int i = 1; i < all.size(); i++) if (best[i] < best[fastest]) fastest = i;
        int chosen = best[fastest] < best[0] * (1 - margin) ? fastest : 0;  // 0: current
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "tune %s n %d threads %d:", stage, n, allThreads ? Parallel.threads() : 1));
        for (int i = 0; i < all.size(); i++) {
            GemmBlocking bk = all.get(i);
            line.append(String.format(Locale.ROOT, " %s%dx%d/kc%d/mc%d/nc%d %.1f", i == chosen ? "*" : "", bk.mr(), Gemm.NR, bk.kc(), bk.mc(), bk.nc(), 2.0 * n * n * n / best[i]));
        }
        log.accept(line.append(" GFLOPS").toString());
        return all.get(chosen);
    }
}
