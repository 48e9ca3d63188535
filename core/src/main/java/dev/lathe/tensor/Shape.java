package dev.lathe.tensor;

import java.util.Arrays;

/**
 * An immutable tensor shape. At layer level the first dimension is the batch and may be
 * {@link #ANY} (unknown until data arrives), which prints as {@code ?}.
 */
public final class Shape {
    /** Marks a dimension that is not known until run time (the batch). */
    public static final int ANY = -1;

    private final int[] dims;

    private Shape(int[] dims) { this.dims = dims; }

    public static Shape of(int... dims) {
        for (int d : dims) {
            if (d < 0 && d != ANY) throw new IllegalArgumentException("shape " + Arrays.toString(dims) + ": negative dimension " + d);
        }
        return new Shape(dims.clone());
    }

    /** A shape with an unknown batch dimension in front of {@code sample}. */
    public static Shape batchOf(int... sample) {
        int[] d = new int[sample.length + 1];
        d[0] = ANY;
        System.arraycopy(sample, 0, d, 1, sample.length);
        return of(d);
    }

    public int rank() { return dims.length; }

    public int dim(int axis) { return dims[axis < 0 ? dims.length + axis : axis]; }

    public int[] dims() { return dims.clone(); }

    /** Product of the dimensions after the batch (the values per sample). */
    public long sampleSize() {
        long n = 1;
        for (int i = 1; i < dims.length; i++) n *= dims[i];
        return n;
    }

    /** This shape with dimension {@code axis} replaced. */
    public Shape with(int axis, int value) {
        int[] d = dims.clone();
        d[axis < 0 ? d.length + axis : axis] = value;
        return new Shape(d);
    }

    @Override public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }

    @Override public int hashCode() { return Arrays.hashCode(dims); }

    @Override public String toString() {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) b.append(", ");
            b.append(dims[i] == ANY ? "?" : Integer.toString(dims[i]));
        }
        return b.append(']').toString();
    }
}
