package dev.lathe.data;

/**
 * Samples with a fixed shape and either a class label or a regression target. Batches are
 * assembled by {@link DataLoader} by copying samples into one contiguous array.
 */
public interface Dataset {
    /** Number of samples. */
    int size();

    /** Shape of one sample, e.g. [1, 28, 28]. */
    int[] sampleShape();

    /** Shape of one regression target, or an empty array for class-labelled data. */
    int[] targetShape();

    /** Copies sample {@code i} into {@code dst} at {@code offset}. */
    void copySample(int i, float[] dst, int offset);

    /** Copies the regression target of sample {@code i}; only for datasets with targets. */
    void copyTarget(int i, float[] dst, int offset);

    /** Class label of sample {@code i}; only for labelled datasets. */
    int label(int i);

    /** Number of classes (0 for regression data). */
    int classes();

    default boolean isLabelled() { return classes() > 0; }

    default int sampleSize() { return product(sampleShape()); }

    /** Values per regression target (1 for an empty target shape). */
    default int targetSize() { return product(targetShape()); }

    private static int product(int[] shape) {
        int n = 1;
        for (int d : shape) n *= d;
        return n;
    }
}
