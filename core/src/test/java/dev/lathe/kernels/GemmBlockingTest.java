package dev.lathe.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Host-adaptive blocking: every blocking the tuner may choose gives the same bits; the cache sizes it starts from. */
class GemmBlockingTest {
    /**
     * The claim the tuner rests on: the tile height and the blocks change speed, never a bit of C. Sizes that cross
     * every block edge (K over kcMax, M over MC, N over NC, ragged tiles).
     */
    @Test void everyCandidateBlockingGivesTheSameBits() {
        GemmBlocking base = new GemmBlocking(8, 256, 128, 512, "test");
        for (int[] mnk : new int[][] {{37, 1100, 700}, {300, 45, 1030}, {8, 32, 16}, {131, 517, 321}}) {
            int m = mnk[0], n = mnk[1], k = mnk[2];
            Random r = new Random(m * 31L + n);
            float[] a = new float[m * k], b = new float[k * n];
            for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
            float[] expected = new float[m * n];
            Gemm.sgemmOneThread(base, m, n, k, a, b, expected);
            float[] ref = new float[m * n];
            GemmReference.sgemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, ref, 0, n);
            for (int i = 0; i < ref.length; i++) assertThat((double) expected[i]).isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-3 * Math.sqrt(k)));
            for (int mr : GemmBlocking.TILE_ROWS) for (int kc : new int[] {128, 320, 512}) for (int mc : new int[] {48, 192}) for (int nc : new int[] {Gemm.NR * 8, 2048}) {
                GemmBlocking bk = new GemmBlocking(mr, kc, mc, nc, "candidate");
                float[] c = new float[m * n];
                java.util.Arrays.fill(c, Float.NaN);  // beta = 0 must overwrite, never read
                Gemm.sgemmOneThread(bk, m, n, k, a, b, c);
                assertThat(c).as("%s on %dx%dx%d", bk.describe(), m, n, k).containsExactly(expected);
            }
        }
    }

    /** The public entries with a 6- or 4-row tile in force: packed per call and pre-packed A with an epilogue, one and two threads, against the reference. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {6, 4})
    void smallerTilesInForceMatchTheReference(int rows) {
        GemmBlocking before = Gemm.blocking();
        int threads = Parallel.threads();
        try {
            Gemm.useBlocking(new GemmBlocking(rows, 192, 96, 256, "test"));
            GemmTest.compare(67, 301, 450, false, true, 0.5f, 1f, 5);
            GemmTest.compare(301, 67, 450, true, false, 1f, 0f, 6);
            for (int t = 1; t <= 2; t++) {
                Parallel.setThreads(t);
                GemmTest.compare(257, 257, 300, false, false, 1f, 0f, 7);
                int m = 301, n = 193, k = 450;  // M and K over several blocks and a ragged 6-row panel
                Random r = new Random(t);
                float[] a = new float[m * k], b = new float[k * n], bias = new float[m], c = new float[m * n], ref = new float[m * n];
                for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
                for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
                for (int i = 0; i < m; i++) bias[i] = i * 0.01f - 1;
                Gemm.PackedA pa = Gemm.pack(m, k, a, 0, k, 1);
                Gemm.sgemm(pa, n, b, 0, n, 1, 0f, c, 0, n, Epilogue.rowBias(bias, 0, Epilogue.RELU));
                GemmReference.sgemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, ref, 0, n);
                for (int i = 0; i < m; i++) for (int j = 0; j < n; j++) {
                    float want = Math.max(0f, ref[i * n + j] + bias[i]);
                    assertThat((double) c[i * n + j]).as("pre-packed at %d,%d on %d threads", i, j, t).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-3 * Math.sqrt(k)));
                }
            }
        } finally {
            Gemm.useBlocking(before);
            Parallel.setThreads(threads);
        }
    }

    @Test void cacheSizesFromSysfsShapeTheStartingBlocking(@TempDir Path dir) throws IOException {
        writeIndex(dir, 0, 1, "Data", "48K");
        writeIndex(dir, 1, 1, "Instruction", "32K");
        writeIndex(dir, 2, 2, "Unified", "1024K");
        writeIndex(dir, 3, 3, "Unified", "32768K");
        GemmBlocking.Caches caches = GemmBlocking.hostCaches(dir);
        assertThat(caches.l1d()).isEqualTo(48 * 1024);
        assertThat(caches.l2()).isEqualTo(1024 * 1024);
        GemmBlocking at16 = GemmBlocking.fromCaches(caches, 16);
        assertThat(at16.mr()).isEqualTo(8);
        assertThat(at16.kc()).isEqualTo(256);   // 48K * 2/3 / (32 columns * 4 bytes)
        assertThat(at16.mc() % at16.mr()).isZero();
        assertThat(GemmBlocking.fromCaches(caches, 8).kc()).isEqualTo(512);
        GemmBlocking none = GemmBlocking.fromCaches(GemmBlocking.hostCaches(dir.resolve("absent")), 16);
        assertThat(none.source()).contains("no sysfs cache entries");
        assertThat(none.kc()).isEqualTo(256);
    }

    @Test void badBlockingsAreRefusedWithTheField() {
        assertThatThrownBy(() -> new GemmBlocking(7, 256, 128, 512, "x")).hasMessageContaining("tile rows must be 4, 6 or 8");
        assertThatThrownBy(() -> new GemmBlocking(6, 256, 128, 512, "x")).hasMessageContaining("mc must be a multiple of 6");
        assertThatThrownBy(() -> new GemmBlocking(4, 256, 130, 512, "x")).hasMessageContaining("mc must be a multiple of 4");
        assertThatThrownBy(() -> new GemmBlocking(8, 8, 128, 512, "x")).hasMessageContaining("kc must be in");
        assertThatThrownBy(() -> new GemmBlocking(8, 256, 128, Gemm.NR + 1, "x")).hasMessageContaining("nc must be a multiple of");
        assertThat(GemmBlocking.parseSize("2M")).isEqualTo(2L * 1024 * 1024);
    }

    private static void writeIndex(Path dir, int i, int level, String type, String size) throws IOException {
        Path d = Files.createDirectories(dir.resolve("index" + i));
        Files.writeString(d.resolve("level"), level + "\n");
        Files.writeString(d.resolve("type"), type + "\n");
        Files.writeString(d.resolve("size"), size + "\n");
    }
}
