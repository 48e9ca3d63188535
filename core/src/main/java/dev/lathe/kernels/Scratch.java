package dev.lathe.kernels;

import java.util.Arrays;

/** A per-thread float buffer that grows to the largest size asked for: kernel scratch without an allocation per call. */
final class Scratch {
    private final ThreadLocal<float[][]> cell = ThreadLocal.withInitial(() -> new float[1][0]);

    /** At least n floats, contents left as they were. */
    float[] atLeast(int n) {
        float[][] c = cell.get();
        if (c[0].length < n) c[0] = new float[n];
        return c[0];
    }

    /** At least n floats, all zero. */
    float[] zeroed(int n) {
        float[][] c = cell.get();
        if (c[0].length < n) c[0] = new float[n];
        else Arrays.fill(c[0], 0f);
        return c[0];
    }
}
