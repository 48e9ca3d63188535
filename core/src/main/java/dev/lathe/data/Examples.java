package dev.lathe.data;

/**
 * A source of examples by index — the general form of a dataset. Fixed-shape array data
 * ({@link Dataset}) is one; detection data with a box list per image, audio clips of different
 * lengths and anything else that is not one tensor plus one label is another. A
 * {@link DataLoader} shuffles the indices and a {@link Collate} step builds each batch.
 */
public interface Examples {
    /** Number of examples. */
    int size();

    /** Example {@code i}, 0 <= i < size(). */
    Example get(int i);
}
