package dev.lathe.data;

import java.util.Arrays;

/** A dataset held in memory: samples as one float array, plus labels or regression targets. */
public final class ArrayDataset implements Dataset {
    private final float[] x;
    private final int[] sampleShape;
    private final int sampleSize;
    private final int[] labels;
    private final int classes;
    private final float[] targets;
    private final int[] targetShape;
    private final int targetSize;

    private ArrayDataset(float[] x, int[] sampleShape, int[] labels, int classes, float[] targets, int[] targetShape) {
        this.x = x;
        this.sampleShape = sampleShape.clone();
        int s = 1;
        for (int d : sampleShape) s *= d;
        this.sampleSize = s;
        this.labels = labels;
        this.classes = classes;
        this.targets = targets;
        this.targetShape = targetShape.clone();
        int t = 1;
        for (int d : targetShape) t *= d;
        this.targetSize = targets == null ? 0 : t;
        int n = s == 0 ? 0 : x.length / s;
        if ((long) n * s != x.length) {
            throw new IllegalArgumentException("dataset: " + x.length + " values are not a whole number of samples of shape " + Arrays.toString(sampleShape));
        }
        if (labels != null && labels.length != n) throw new IllegalArgumentException("dataset: " + n + " samples but " + labels.length + " labels");
        if (targets != null && targets.length != (long) n * targetSize) {
            throw new IllegalArgumentException("dataset: " + n + " samples but " + targets.length + " target values (target shape " + Arrays.toString(targetShape) + ")");
        }
    }

    /** Class-labelled samples; every label must be in [0, classes). */
    public static ArrayDataset labelled(float[] x, int[] sampleShape, int[] labels, int classes) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("dataset: label " + labels[i] + " of sample " + i + " is outside [0, " + classes + ")");
            }
        }
        return new ArrayDataset(x, sampleShape, labels, classes, null, new int[0]);
    }

    /** Samples with real-valued targets (regression). */
    public static ArrayDataset regression(float[] x, int[] sampleShape, float[] targets, int[] targetShape) {
        return new ArrayDataset(x, sampleShape, null, 0, targets, targetShape);
    }

    @Override public int size() { return sampleSize == 0 ? 0 : x.length / sampleSize; }

    @Override public int[] sampleShape() { return sampleShape.clone(); }

    @Override public int[] targetShape() { return targetShape.clone(); }

    @Override public void copySample(int i, float[] dst, int offset) { System.arraycopy(x, i * sampleSize, dst, offset, sampleSize); }

    @Override public void copyTarget(int i, float[] dst, int offset) {
        if (targets == null) throw new IllegalStateException("dataset has class labels, not regression targets");
        System.arraycopy(targets, i * targetSize, dst, offset, targetSize);
    }

    @Override public int label(int i) {
        if (labels == null) throw new IllegalStateException("dataset has regression targets, not class labels");
        return labels[i];
    }

    @Override public int classes() { return classes; }

    /** The samples at {@code indices}, copied, in that order. */
    public ArrayDataset subset(int[] indices) {
        float[] xs = new float[indices.length * sampleSize];
        int[] ls = labels == null ? null : new int[indices.length];
        float[] ts = targets == null ? null : new float[indices.length * targetSize];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            if (i < 0 || i >= size()) throw new IndexOutOfBoundsException("subset: index " + i + " outside [0, " + size() + ")");
            System.arraycopy(x, i * sampleSize, xs, k * sampleSize, sampleSize);
            if (ls != null) ls[k] = labels[i];
            if (ts != null) System.arraycopy(targets, i * targetSize, ts, k * targetSize, targetSize);
        }
        return new ArrayDataset(xs, sampleShape, ls, classes, ts, targetShape);
    }

    /**
     * The samples of the given classes, relabelled 0 .. keep.length-1 in that order, at most
     * {@code perClass} of each (the first ones in data order; 0 = all): a task for transfer learning.
     */
    public ArrayDataset selectClasses(int[] keep, int perClass) {
        if (labels == null) throw new IllegalArgumentException("selectClasses: the data has regression targets, not class labels");
        int[] newLabel = new int[classes];
        java.util.Arrays.fill(newLabel, -1);
        for (int k = 0; k < keep.length; k++) {
            if (keep[k] < 0 || keep[k] >= classes) throw new IllegalArgumentException("selectClasses: class " + keep[k] + " outside [0, " + classes + ")");
            if (newLabel[keep[k]] >= 0) throw new IllegalArgumentException("selectClasses: class " + keep[k] + " listed twice");
            newLabel[keep[k]] = k;
        }
        int[] taken = new int[keep.length];
        java.util.List<Integer> idx = new java.util.ArrayList<>();
        for (int i = 0; i < size(); i++) {
            int nl = newLabel[labels[i]];
            if (nl < 0 || (perClass > 0 && taken[nl] >= perClass)) continue;
            taken[nl]++;
            idx.add(i);
        }
        ArrayDataset sub = subset(idx.stream().mapToInt(Integer::intValue).toArray());
        int[] ls = new int[sub.size()];
        for (int k = 0; k < ls.length; k++) ls[k] = newLabel[sub.labels[k]];
        return new ArrayDataset(sub.x, sampleShape, ls, keep.length, null, targetShape);
    }

    /** The first {@code n} samples (all if n exceeds the size). */
    public ArrayDataset head(int n) {
        int[] idx = new int[Math.min(n, size())];
        for (int i = 0; i < idx.length; i++) idx[i] = i;
        return subset(idx);
    }

    /** A copy with every value mapped to (v - mean) / std; use the training set's statistics for every split. */
    public ArrayDataset normalized(double mean, double std) {
        if (!(std > 0)) throw new IllegalArgumentException("normalize: std must be positive, got " + std);
        float[] xs = new float[x.length];
        float m = (float) mean, inv = (float) (1 / std);
        for (int i = 0; i < xs.length; i++) xs[i] = (x[i] - m) * inv;
        return new ArrayDataset(xs, sampleShape, labels, classes, targets, targetShape);
    }

    /** Mean and standard deviation over all values (for {@link #normalized}). */
    public double[] meanStd() {
        double s = 0, sq = 0;
        for (float v : x) {
            s += v;
            sq += (double) v * v;
        }
        double n = Math.max(1, x.length), mean = s / n;
        return new double[] {mean, Math.sqrt(Math.max(0, sq / n - mean * mean))};
    }
}
