package dev.lathe.data;

import dev.lathe.tensor.Tensor;

/**
 * Samples with a fixed shape and either a class label or a regression target: the array form of
 * {@link Examples}, whose examples have the fields {@value Example#INPUT} and {@value Example#LABEL}
 * or {@value Example#TARGET}. {@link DataLoader} assembles its batches by copying samples straight
 * into one contiguous array, without building an example per sample.
 */
public interface Dataset extends Examples {
    /** Number of samples. */
    @Override int size();

    /** Sample {@code i} as an example (copied). */
    @Override default Example get(int i) {
        float[] x = new float[sampleSize()];
        copySample(i, x, 0);
        Tensor input = Tensor.of(x, sampleShape());
        if (isLabelled()) return Example.of(Example.INPUT, input, Example.LABEL, Tensor.scalar(label(i)));
        float[] t = new float[targetSize()];
        copyTarget(i, t, 0);
        return Example.of(Example.INPUT, input, Example.TARGET, Tensor.of(t, targetShape()));
    }

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
