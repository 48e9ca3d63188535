package dev.lathe.data;

import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns a list of examples into a {@link Batch}. Each field is stacked into one tensor [B, ...]
 * when every example has the same shape for it. A field whose shape differs between examples is
 * an error unless it is declared: {@link #ragged} keeps it as a list of tensors (a box list per
 * image, for a loss that matches boxes one image at a time); {@link #padded} pads it along its
 * first axis to the longest example and adds a field {@code NAME_length} [B] with each example's
 * true length (waveforms, token sequences).
 *
 * <pre>{@code
 * Collate c = Collate.stack().ragged("boxes", "classes").padded("waveform", 0f);
 * }</pre>
 */
public final class Collate {
    private final Set<String> ragged;
    private final Map<String, Float> padded;

    private Collate(Set<String> ragged, Map<String, Float> padded) {
        this.ragged = Set.copyOf(ragged);
        this.padded = Map.copyOf(padded);
    }

    /** Every field stacked; a shape that differs between examples is an error naming the field. */
    public static Collate stack() { return new Collate(Set.of(), Map.of()); }

    /** The same, with these fields kept as one tensor per example. */
    public Collate ragged(String... names) {
        Set<String> r = new java.util.HashSet<>(ragged);
        r.addAll(List.of(names));
        return new Collate(r, padded);
    }

    /** The same, with this field padded with {@code value} along its first axis to the batch's longest. */
    public Collate padded(String name, float value) {
        Map<String, Float> p = new HashMap<>(padded);
        p.put(name, value);
        return new Collate(ragged, p);
    }

    /** The field that {@link #padded} adds beside {@code name}: each example's true length. */
    public static String lengthField(String name) { return name + "_length"; }

    public Batch collate(List<Example> examples) {
        if (examples.isEmpty()) throw new IllegalArgumentException("collate: no examples");
        Set<String> names = examples.get(0).names();
        for (int i = 1; i < examples.size(); i++) {
            if (!examples.get(i).names().equals(names)) {
                throw new IllegalArgumentException("collate: example " + i + " has fields " + examples.get(i).names() + ", the first has " + names);
            }
        }
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        Map<String, List<Tensor>> lists = new LinkedHashMap<>();
        for (String name : names) {
            List<Tensor> column = new ArrayList<>(examples.size());
            for (Example e : examples) column.add(e.get(name));
            if (ragged.contains(name)) {
                lists.put(name, List.copyOf(column));
            } else if (padded.containsKey(name)) {
                tensors.put(name, pad(name, column, padded.get(name)));
                float[] len = new float[column.size()];
                for (int i = 0; i < len.length; i++) len[i] = column.get(i).size(0);
                tensors.put(lengthField(name), Tensor.of(len, len.length));
            } else {
                tensors.put(name, stack(name, column));
            }
        }
        return new Batch(examples.size(), tensors, lists);
    }

    /** Tensors of one shape as [n, ...shape]. */
    static Tensor stack(String name, List<Tensor> column) {
        int[] shape = column.get(0).shape();
        int size = column.get(0).numel();
        float[] out = new float[column.size() * size];
        for (int i = 0; i < column.size(); i++) {
            Tensor t = column.get(i);
            if (!Arrays.equals(t.shape(), shape)) {
                throw new IllegalArgumentException("collate: field '" + name + "' has shape " + Arrays.toString(t.shape()) + " in example " + i + " but "
                        + Arrays.toString(shape) + " in example 0; declare it ragged (a list per example) or padded (Collate.stack().ragged(\"" + name + "\"))");
            }
            System.arraycopy(t.toFloatArray(), 0, out, i * size, size);
        }
        int[] s = new int[shape.length + 1];
        s[0] = column.size();
        System.arraycopy(shape, 0, s, 1, shape.length);
        return Tensor.of(out, s);
    }

    /** Tensors equal in all but the first axis, padded along it to the longest. */
    private static Tensor pad(String name, List<Tensor> column, float value) {
        int[] first = column.get(0).shape();
        if (first.length == 0) throw new IllegalArgumentException("collate: field '" + name + "' is a scalar and cannot be padded");
        int longest = 0;
        for (int i = 0; i < column.size(); i++) {
            int[] s = column.get(i).shape();
            if (s.length != first.length || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), Arrays.copyOfRange(first, 1, first.length))) {
                throw new IllegalArgumentException("collate: padded field '" + name + "' has shape " + Arrays.toString(s) + " in example " + i + " but "
                        + Arrays.toString(first) + " in example 0; only the first axis may differ");
            }
            longest = Math.max(longest, s[0]);
        }
        int row = 1;
        for (int d = 1; d < first.length; d++) row *= first[d];
        int per = longest * row;
        float[] out = new float[column.size() * per];
        Arrays.fill(out, value);
        for (int i = 0; i < column.size(); i++) {
            float[] v = column.get(i).toFloatArray();
            System.arraycopy(v, 0, out, i * per, v.length);
        }
        int[] s = first.clone();
        s[0] = longest;
        int[] b = new int[s.length + 1];
        b[0] = column.size();
        System.arraycopy(s, 0, b, 1, s.length);
        return Tensor.of(out, b);
    }
}
