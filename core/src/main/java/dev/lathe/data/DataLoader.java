package dev.lathe.data;

import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * Iterates examples in batches. With shuffling, each pass draws a new permutation from one
 * generator seeded at construction, so a seed fixes the order of every epoch. The last partial
 * batch is kept unless {@code dropLast}. A {@link Dataset} (fixed-shape arrays) is gathered
 * straight into contiguous arrays; any other {@link Examples} goes through its {@link Collate}.
 *
 * <pre>{@code
 * DataLoader train = new DataLoader(data, 64, true, 0, false);
 * for (Batch b : train) { ... }
 * }</pre>
 */
public final class DataLoader implements Iterable<Batch> {
    private final Examples data;
    private final Collate collate;
    private final int batchSize;
    private final boolean shuffle, dropLast;
    private final Random rnd;

    public DataLoader(Dataset data, int batchSize, boolean shuffle, long seed, boolean dropLast) {
        this(data, Collate.stack(), batchSize, shuffle, seed, dropLast);
    }

    /** Batches of any examples, built by {@code collate}. */
    public DataLoader(Examples data, Collate collate, int batchSize, boolean shuffle, long seed, boolean dropLast) {
        if (batchSize <= 0) throw new IllegalArgumentException("DataLoader: batch size must be positive, got " + batchSize);
        this.data = data;
        this.collate = collate;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.rnd = new Random(seed);
    }

    /** A loader for evaluation: no shuffling, keeps the last partial batch. */
    public static DataLoader inOrder(Dataset data, int batchSize) { return new DataLoader(data, batchSize, false, 0, false); }

    /** The examples this loader batches. */
    public Examples examples() { return data; }

    /** The array dataset this loader batches; an error when it batches other examples. */
    public Dataset dataset() {
        if (data instanceof Dataset d) return d;
        throw new IllegalStateException("this loader batches " + data.getClass().getSimpleName() + ", not a fixed-shape array Dataset");
    }

    public int batchSize() { return batchSize; }

    /** Batches per pass. */
    public int batches() {
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Draws and discards the shuffles of {@code passes} epochs, so a resumed run continues the same sequence of orders. */
    public void skipPasses(int passes) {
        if (!shuffle) return;
        for (int i = 0; i < passes; i++) permutation(data.size(), rnd);
    }

    @Override public Iterator<Batch> iterator() {
        int n = data.size();
        int[] order = shuffle ? permutation(n, rnd) : identity(n);
        int total = batches();
        return new Iterator<>() {
            private int next;

            @Override public boolean hasNext() { return next < total; }

            @Override public Batch next() {
                if (!hasNext()) throw new NoSuchElementException();
                int from = next * batchSize, count = Math.min(batchSize, n - from);
                next++;
                return gather(order, from, count);
            }
        };
    }

    private Batch gather(int[] order, int from, int count) {
        if (!(this.data instanceof Dataset data)) {
            List<Example> examples = new ArrayList<>(count);
            for (int k = 0; k < count; k++) examples.add(this.data.get(order[from + k]));
            return collate.collate(examples);
        }
        int[] sample = data.sampleShape();
        int size = data.sampleSize();
        float[] x = new float[count * size];
        for (int k = 0; k < count; k++) data.copySample(order[from + k], x, k * size);
        Tensor xt = Tensor.of(x, prepend(count, sample));
        if (data.isLabelled()) {
            int[] y = new int[count];
            for (int k = 0; k < count; k++) y[k] = data.label(order[from + k]);
            return Batch.of(xt, y, null);
        }
        int[] ts = data.targetShape();
        int tsize = data.targetSize();
        float[] t = new float[count * tsize];
        for (int k = 0; k < count; k++) data.copyTarget(order[from + k], t, k * tsize);
        return Batch.of(xt, null, Tensor.of(t, prepend(count, ts)));
    }

    private static int[] prepend(int n, int[] shape) {
        int[] s = new int[shape.length + 1];
        s[0] = n;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    /** A Fisher-Yates permutation of [0, n). */
    public static int[] permutation(int n, Random rnd) {
        int[] p = identity(n);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return p;
    }
}
