package dev.lathe.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The int8 kernels against plain integer loops, exactly; the fixed-point multiplier and its rounding rule. */
class Int8Test {
    static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (r.nextInt(256) - 128);
        return b;
    }

    @Test void matVecEqualsTheIntegerLoopExactly() {
        Random r = new Random(1);
        for (int[] kr : new int[][] {{784, 256}, {3136, 128}, {33, 7}, {16, 4}, {15, 3}, {257, 10}, {8, 5}, {1, 1}}) {
            int k = kr[0], rows = kr[1];
            byte[] x = bytes(r, k + 3), w = bytes(r, k * rows + 5);
            int[] got = new int[rows + 2], want = new int[rows + 2];
            Int8.matVec(x, 3, Int8.widenRows(w, 5, k, rows), new int[k], got, 2);
            Int8Reference.matVec(x, 3, w, 5, k, rows, want, 2);
            assertThat(got).as("k=%d rows=%d", k, rows).containsExactly(want);
        }
    }

    @Test void convolutionThroughTheFloatGemmIsExact() {
        Random r = new Random(2);
        // the Fashion CNN's conv2, a strided one, a pointwise one, and K = 600 > EXACT_K (two K blocks)
        for (ConvGeometry g : new ConvGeometry[] {new ConvGeometry(1, 32, 14, 14, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1),
            new ConvGeometry(1, 3, 11, 9, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1), new ConvGeometry(1, 24, 7, 7, 40, 1, 1, 1, 1, 0, 0, 1, 1, 1),
            new ConvGeometry(1, 600, 4, 4, 8, 1, 1, 1, 1, 0, 0, 1, 1, 1)}) {
            byte[] x = bytes(r, 7 + g.c() * g.h() * g.w()), w = bytes(r, g.o() * g.c() * g.kh() * g.kw());
            for (int i = 0; i < w.length; i++) if (w[i] == -128) w[i] = -127;  // symmetric weights
            int zp = r.nextInt(256) - 128;
            int[] got = new int[g.o() * g.oh() * g.ow()];
            Int8.conv(g, x, 7, zp, Int8.packConvWeights(g, w), new float[Int8.convScratch(g)], got);
            assertThat(got).as("%s", g).containsExactly(Int8Reference.conv(g, x, 7, zp, w));
        }
        assertThat(Int8.EXACT_K * 255L * 127).isLessThan(1L << 24);
    }

    @Test void fixedPointMultiplierRepresentsTheRealOne() {
        for (double m : new double[] {0.5, 0.75, 1e-3, 0.999999, 3.2e-7, 1.0, 2.5}) {
            int[] mr = Int8.multiplier(m);
            assertThat(mr[0]).isBetween(1 << 30, Integer.MAX_VALUE);
            assertThat(mr[0] * Math.scalb(1.0, -mr[1])).isCloseTo(m, org.assertj.core.data.Offset.offset(m * 1e-9));
        }
        assertThatThrownBy(() -> Int8.multiplier(0)).hasMessageContaining("positive");
        assertThatThrownBy(() -> Int8.multiplier(1e-30)).hasMessageContaining("outside");
    }

    @Test void requantizeRoundsHalfUpOnceThenClamps() {
        int[] half = Int8.multiplier(0.5);
        // acc * 0.5: 3 -> 1.5 -> 2, -3 -> -1.5 -> -1 (half up), 5 -> 2.5 -> 3
        assertThat(Int8.requantize(3, half[0], half[1], 0, -128, 127)).isEqualTo(2);
        assertThat(Int8.requantize(-3, half[0], half[1], 0, -128, 127)).isEqualTo(-1);
        assertThat(Int8.requantize(5, half[0], half[1], 10, -128, 127)).isEqualTo(13);
        assertThat(Int8.requantize(1000, half[0], half[1], 0, -128, 127)).isEqualTo(127);
        assertThat(Int8.requantize(-1000, half[0], half[1], 0, -5, 127)).isEqualTo(-5);
        // against the real-number rule on random values: floor(acc * M + 1/2), within the multiplier's precision
        Random r = new Random(3);
        for (int t = 0; t < 10_000; t++) {
            double m = Math.exp(-12 * r.nextDouble());
            int[] mr = Int8.multiplier(m);
            int acc = r.nextInt(2_000_000) - 1_000_000;
            double exact = acc * (mr[0] * Math.scalb(1.0, -mr[1]));
            long want = (long) Math.floor(exact + 0.5);
            assertThat((long) Int8.requantize(acc, mr[0], mr[1], 0, Integer.MIN_VALUE, Integer.MAX_VALUE)).isEqualTo(want);
        }
    }
}
