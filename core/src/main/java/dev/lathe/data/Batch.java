package dev.lathe.data;

import dev.lathe.tensor.Tensor;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One batch: named fields, each either stacked into one tensor [B, ...] (every example had the
 * same shape) or kept as a list of B tensors (the lengths differ: a box list per image). The
 * common fields have accessors: {@link #x()} the input, {@link #labels()} the class indices,
 * {@link #targets()} the regression targets; a field a batch does not have reads as null there.
 */
public final class Batch {
    private final int size;
    private final Map<String, Tensor> tensors;
    private final Map<String, List<Tensor>> lists;
    /** Fields read as class indices, each parsed once (the loss and the accuracy both read the labels). */
    private final Map<String, int[]> indices = new java.util.HashMap<>();

    /**
     * @param size    examples in the batch
     * @param tensors stacked fields, each [size, ...]
     * @param lists   per-example fields, each a list of {@code size} tensors
     */
    public Batch(int size, Map<String, Tensor> tensors, Map<String, List<Tensor>> lists) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (t.dim() == 0 || t.size(0) != size) throw new IllegalArgumentException("batch: field '" + e.getKey() + "' has shape " + java.util.Arrays.toString(t.shape()) + ", expected " + size + " rows");
            if (lists.containsKey(e.getKey())) throw new IllegalArgumentException("batch: field '" + e.getKey() + "' is both stacked and a list");
        }
        for (Map.Entry<String, List<Tensor>> e : lists.entrySet()) {
            if (e.getValue().size() != size) throw new IllegalArgumentException("batch: list field '" + e.getKey() + "' has " + e.getValue().size() + " entries, expected " + size);
        }
        this.size = size;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.lists = Collections.unmodifiableMap(new LinkedHashMap<>(lists));
    }

    /** A batch of inputs with class labels or regression targets (the other null). */
    public static Batch of(Tensor x, int[] labels, Tensor targets) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put(Example.INPUT, x);
        if (labels != null) {
            float[] l = new float[labels.length];
            for (int i = 0; i < l.length; i++) l[i] = labels[i];
            t.put(Example.LABEL, Tensor.of(l, labels.length));
        }
        if (targets != null) t.put(Example.TARGET, targets);
        Batch b = new Batch(x.size(0), t, Map.of());
        if (labels != null) b.indices.put(Example.LABEL, labels.clone());
        return b;
    }

    public int size() { return size; }

    /** Every field name, stacked ones first. */
    public Set<String> names() {
        Set<String> s = new LinkedHashSet<>(tensors.keySet());
        s.addAll(lists.keySet());
        return s;
    }

    public boolean has(String name) { return tensors.containsKey(name) || lists.containsKey(name); }

    /** A stacked field [B, ...]; an error naming the fields there are when it is missing or a list. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t != null) return t;
        if (lists.containsKey(name)) throw new IllegalArgumentException("batch field '" + name + "' differs in shape between examples and is a list, not one tensor");
        throw new IllegalArgumentException("batch has no field '" + name + "' (it has " + names() + ")");
    }

    /** A field as one tensor per example (a stacked field is split into views). */
    public List<Tensor> list(String name) {
        List<Tensor> l = lists.get(name);
        if (l != null) return l;
        Tensor t = tensor(name);
        int[] one = java.util.Arrays.copyOfRange(t.shape(), 1, t.dim());
        return java.util.stream.IntStream.range(0, size).mapToObj(i -> t.slice(0, i, i + 1).reshape(one)).toList();
    }

    /** The input field, or null. */
    public Tensor x() { return tensors.get(Example.INPUT); }

    /** The class indices of the {@value Example#LABEL} field, or null when the batch has none. */
    public int[] labels() { return tensors.containsKey(Example.LABEL) ? classIndices(Example.LABEL) : null; }

    /** The regression targets, or null. */
    public Tensor targets() { return tensors.get(Example.TARGET); }

    /** A stacked field of whole numbers [B] read as class indices (parsed once; the array is shared, not to be changed). */
    public int[] classIndices(String name) {
        int[] cached = indices.get(name);
        if (cached != null) return cached;
        Tensor t = tensor(name);
        if (t.dim() != 1) throw new IllegalArgumentException("batch field '" + name + "' has shape " + java.util.Arrays.toString(t.shape()) + "; class indices are one number per example");
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            double v = t.get(i);
            if (v != Math.rint(v) || v < 0) throw new IllegalArgumentException("batch field '" + name + "': example " + i + " has class " + v + ", expected a whole number >= 0");
            out[i] = (int) v;
        }
        indices.put(name, out);
        return out;
    }

    @Override public String toString() { return "Batch(" + size + ", " + names() + ")"; }
}
