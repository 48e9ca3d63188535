package dev.lathe.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The GEMM's register tile and cache blocking: an MR x NR tile of C in registers (NR = 2 vectors of
 * the preferred species), K blocks of KC, MC rows of A and NC columns of B per packed block.
 *
 * <p>Any blocking gives the same bits: every element of C is one chain of FMAs over k in order, and
 * between K blocks C is stored and reloaded as float, which is exact. So choosing a blocking per host
 * changes speed only, never results ({@code GemmBlockingTest} checks this over every tile height and a spread of blocks).
 *
 * <p>Why per host: constants tuned on one machine were a guess on the next (2026-12-07: SGEMM 0.56-0.90x
 * OpenBLAS on an Ice Lake host with the blocking measured on AMD ones). KC is sized so a B micro-panel (KC x NR)
 * stays in L1 across the A panels, MC so an A block stays in L2, NC so a B block stays in half of L2, then
 * {@link GemmTuner} measures. The tile height is measured too: an 8-row tile keeps 16 accumulators, two B
 * vectors and a broadcast live (19 registers, more than AVX2's 16); a 6-row tile (15) fits on paper, a 4-row
 * tile (11) in practice: under {@code -XX:UseAVX=2} (VEX code, 16 registers, as on an AVX2 CPU) on the Zen 5 host
 * of 2026-12-07, alone in L1 at 256 bits, the 8- and 6-row tiles ran 59 and 50 GFLOPS, the 4-row one 105 — C2
 * spills the larger ones; with AVX-512's 32 registers at the same width all run 104-114 and 8 rows is fastest.
 * The species cannot tell the two hosts apart, so 8 rows is the start and {@link GemmTuner} measures the others.
 */
public record GemmBlocking(int mr, int kc, int mc, int nc, String source) {
    /** The tile heights the kernel has: 8 rows (16 accumulators), 6 rows (12) and 4 rows (8: the one C2 does not spill with 16 registers). */
    static final int[] TILE_ROWS = {8, 6, 4};
    /** The largest tile height, for scratch tiles. */
    static final int MR_MAX = 8;

    public GemmBlocking {
        if (mr != 8 && mr != 6 && mr != 4) throw new IllegalArgumentException("gemm blocking: tile rows must be 4, 6 or 8, got " + mr);
        if (kc < 16 || kc > 4096) throw new IllegalArgumentException("gemm blocking: kc must be in [16, 4096], got " + kc);
        if (mc < mr || mc % mr != 0 || mc > 4096) throw new IllegalArgumentException("gemm blocking: mc must be a multiple of " + mr + " in [" + mr + ", 4096], got " + mc);
        if (nc < Gemm.NR || nc % Gemm.NR != 0 || nc > 16384) throw new IllegalArgumentException("gemm blocking: nc must be a multiple of " + Gemm.NR + " in [" + Gemm.NR + ", 16384], got " + nc);
    }

    /** Whether the two have the same tile and blocks (wherever they came from). */
    boolean sameBlocks(GemmBlocking o) { return mr == o.mr && kc == o.kc && mc == o.mc && nc == o.nc; }

    /** The same blocking with another tile height (mc rounded up to a multiple of it). */
    GemmBlocking withTile(int rows, String why) { return new GemmBlocking(rows, kc, (mc + rows - 1) / rows * rows, nc, why); }

    GemmBlocking withKc(int k, String why) { return new GemmBlocking(mr, k, mc, nc, why); }

    GemmBlocking withMcNc(int m, int n, String why) { return new GemmBlocking(mr, kc, (m + mr - 1) / mr * mr, n, why); }

    /**
     * A K up to this is one block rather than KC plus a thin remainder: K = 288 (a 3x3 convolution over
     * 32 channels) as 256 + 32 stored and reloaded every C tile twice for a 32-deep second pass.
     */
    int kcMax() { return kc + kc / 4; }

    /** The depth of the K block starting at pc. */
    int kcAt(int k, int pc) { return k <= kcMax() ? k : Math.min(kc, k - pc); }

    /** The K step between blocks. */
    int kcStep(int k) { return k <= kcMax() ? kcMax() : kc; }

    /** One line for `lathe bench gemm`: the tile, the blocks and where they came from. */
    public String describe() {
        return String.format(Locale.ROOT, "blocking tile %dx%d kc %d mc %d nc %d lanes %d (%s)", mr, Gemm.NR, kc, mc, nc, Gemm.L, source);
    }

    /** The cache sizes of this host in bytes (-1 where unknown) and where they were read. */
    public record Caches(long l1d, long l2, String source) {}

    /**
     * L1 data and L2 sizes from {@code /sys/devices/system/cpu/cpu0/cache/index* /{level,type,size}}; unknown
     * (-1) where the kernel does not expose them (some VMs have no cache directory at all).
     */
    public static Caches hostCaches() { return hostCaches(Path.of("/sys/devices/system/cpu/cpu0/cache")); }

    static Caches hostCaches(Path dir) {
        long l1d = -1, l2 = -1;
        for (int i = 0; i < 8; i++) {
            Path index = dir.resolve("index" + i);
            if (!Files.isDirectory(index)) continue;
            try {
                int level = Integer.parseInt(Files.readString(index.resolve("level")).trim());
                String type = Files.readString(index.resolve("type")).trim();
                long size = parseSize(Files.readString(index.resolve("size")).trim());
                if (level == 1 && type.equals("Data")) l1d = size;
                if (level == 2 && !type.equals("Instruction")) l2 = size;
            } catch (IOException | RuntimeException e) {
                // an unreadable or odd entry is the same as a missing one: the defaults below apply, and say so
                return new Caches(-1, -1, "unreadable " + index + " (" + e.getMessage() + ")");
            }
        }
        return new Caches(l1d, l2, l1d > 0 || l2 > 0 ? "sysfs" : "no sysfs cache entries");
    }

    /** "48K", "1024K", "2M" or a plain byte count. */
    static long parseSize(String s) {
        char unit = Character.toUpperCase(s.charAt(s.length() - 1));
        long scale = unit == 'K' ? 1024 : unit == 'M' ? 1024 * 1024 : unit == 'G' ? 1024L * 1024 * 1024 : 1;
        return Long.parseLong(scale == 1 ? s : s.substring(0, s.length() - 1)) * scale;
    }

    /** The blocking for this host before any measurement: from its cache sizes and vector width ({@link #fromCaches}). */
    public static GemmBlocking forThisHost() { return fromCaches(hostCaches(), Gemm.L); }

    /**
     * The tile: 8 rows (measured faster at 256 bits too, see above; the tuner may choose 6). KC: a B micro-panel in two thirds of L1 (256 at 48 KB and 32
     * lanes), within [128, 512]; MC: an A block in a quarter of L2; NC: a B block in half of L2. Where
     * sysfs says nothing, the values measured on the AVX-512 hosts of earlier sessions (KC 256, MC 128, NC 512).
     */
    static GemmBlocking fromCaches(Caches caches, int lanes) {
        int nr = 2 * lanes, mr = 8;
        int kc = 256, mc = 128, nc = 512;
        String why = "defaults (" + caches.source() + ")";
        if (caches.l1d() > 0) kc = clampRound((int) (caches.l1d() * 2 / 3 / (4L * nr)), 128, 512, 16);
        if (caches.l2() > 0) {
            mc = clampRound((int) (caches.l2() / 4 / (4L * kc)), 48, 512, 48);
            nc = clampRound((int) (caches.l2() / 2 / (4L * kc)), 256, 4096, nr);
            why = String.format(Locale.ROOT, "from caches L1d %dK L2 %dK (%s)", caches.l1d() / 1024, caches.l2() / 1024, caches.source());
        }
        return new GemmBlocking(mr, kc, (mc + mr - 1) / mr * mr, nc, why);
    }

    private static int clampRound(int v, int lo, int hi, int step) { return Math.max(lo, Math.min(hi, v / step * step)); }
}
