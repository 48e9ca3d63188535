package dev.lathe.kernels;

import static dev.lathe.kernels.ConvTest.close;
import static dev.lathe.kernels.ConvTest.rand;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batch-1 dense kernel against a double-precision dot product per output, panels and tail, 1 and 2 threads. */
class GemvTest {
    @AfterEach void restoreThreads() { Parallel.setThreads(Runtime.getRuntime().availableProcessors()); }

    @Test void matchesTheReferenceWithAndWithoutBiasAndActivations() {
        int[][] shapes = {{784, 256}, {3136, 128}, {128, 10}, {70, 100}, {5, 64}, {3, 64}, {1280, 1000}};  // 3: no full quarter of inputs
        for (int[] sh : shapes) {
            int in = sh[0], out = sh[1];
            for (int threads = 1; threads <= 2; threads++) {
                Parallel.setThreads(threads);
                for (int act = Epilogue.NONE; act <= Epilogue.RELU6; act++) {
                    Random r = new Random(in * 31 + out + act);
                    float[] w = rand(r, in * out), x = rand(r, in), b = act == Epilogue.RELU ? null : rand(r, out);
                    for (int i = 0; i < x.length; i++) x[i] *= 3;
                    float[] arena = new float[3 + in + out];
                    System.arraycopy(x, 0, arena, 3, in);
                    java.util.Arrays.fill(arena, 3 + in, arena.length, Float.NaN);  // every output written
                    Gemv.run(Gemv.pack(w, b, in, out), arena, 3, arena, 3 + in, act);
                    double[] ref = new double[out];
                    for (int o = 0; o < out; o++) {
                        double s = b == null ? 0 : b[o];
                        for (int p = 0; p < in; p++) s += (double) x[p] * w[o * in + p];
                        if (act != Epilogue.NONE) s = Math.max(s, 0);
                        if (act == Epilogue.RELU6) s = Math.min(s, 6);
                        ref[o] = s;
                    }
                    close(java.util.Arrays.copyOfRange(arena, 3 + in, arena.length), ref, in + "->" + out + " activation " + act + " threads " + threads);
                }
            }
        }
    }

    @Test void badShapesNameTheirNumbers() {
        assertThatThrownBy(() -> Gemv.pack(new float[11], null, 4, 3)).hasMessageContaining("11").hasMessageContaining("3x4");
        assertThatThrownBy(() -> Gemv.pack(new float[12], new float[2], 4, 3)).hasMessageContaining("bias has 2").hasMessageContaining("expected 3");
    }
}
