package dev.lathe.data;

import java.util.Random;

/** Two disjoint parts of a dataset, e.g. training and validation. */
public record Split(ArrayDataset first, ArrayDataset second) {
    /**
     * Shuffles with {@code seed} and puts {@code fraction} of the samples in the second part
     * (validation), the rest in the first (training).
     */
    public static Split of(ArrayDataset data, double fraction, long seed) {
        if (!(fraction >= 0 && fraction < 1)) throw new IllegalArgumentException("split: validation fraction must be in [0, 1), got " + fraction);
        int n = data.size(), second = (int) Math.round(n * fraction);
        int[] perm = DataLoader.permutation(n, new Random(seed));
        int[] a = new int[n - second], b = new int[second];
        System.arraycopy(perm, 0, b, 0, second);
        System.arraycopy(perm, second, a, 0, n - second);
        java.util.Arrays.sort(a);
        java.util.Arrays.sort(b);
        return new Split(data.subset(a), data.subset(b));
    }
}
