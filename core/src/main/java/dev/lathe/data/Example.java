package dev.lathe.data;

import dev.lathe.tensor.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One training example: named tensors of any shape — an image, a class label (a 0-d tensor), a
 * box list [n, 4] whose n differs from example to example, a mask, a waveform. A {@link Collate}
 * step turns a list of examples into a {@link Batch}. The names are the contract between data,
 * model inputs and the task: a model input named {@value #INPUT} reads the field {@value #INPUT}.
 */
public record Example(Map<String, Tensor> fields) {
    /** The model input of a one-input model. */
    public static final String INPUT = "input";
    /** A class index, stored as a 0-d tensor. */
    public static final String LABEL = "label";
    /** A regression target. */
    public static final String TARGET = "target";

    public Example {
        if (fields.isEmpty()) throw new IllegalArgumentException("example: no fields");
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    /** Pairs of name, tensor: {@code Example.of("input", x, "label", Tensor.scalar(3))}. */
    public static Example of(Object... nameTensorPairs) {
        if (nameTensorPairs.length % 2 != 0) throw new IllegalArgumentException("example: names and tensors must come in pairs, got " + nameTensorPairs.length + " arguments");
        Map<String, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < nameTensorPairs.length; i += 2) {
            if (!(nameTensorPairs[i] instanceof String name) || !(nameTensorPairs[i + 1] instanceof Tensor t)) {
                throw new IllegalArgumentException("example: argument " + i + " must be a field name followed by a Tensor");
            }
            if (m.put(name, t) != null) throw new IllegalArgumentException("example: field '" + name + "' given twice");
        }
        return new Example(m);
    }

    /** The tensor of a field; an error naming the fields there are when it is missing. */
    public Tensor get(String name) {
        Tensor t = fields.get(name);
        if (t == null) throw new IllegalArgumentException("example has no field '" + name + "' (it has " + fields.keySet() + ")");
        return t;
    }

    public Set<String> names() { return fields.keySet(); }

    @Override public String toString() {
        StringBuilder s = new StringBuilder("Example(");
        fields.forEach((k, v) -> s.append(s.length() > 8 ? ", " : "").append(k).append(Arrays.toString(v.shape())));
        return s.append(')').toString();
    }
}
