package dev.lathe.nn;

import dev.lathe.autograd.Variable;
import dev.lathe.tensor.DType;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A layer or a network of layers. Lifecycle, shared by every layer: the constructor validates its
 * settings (naming the layer and the bad value); parameters are registered when the layer is built;
 * {@link #forward} checks the input shape on call and delegates to {@code autograd.Ops};
 * {@link #outputShape} answers without computing (summary and export use it);
 * {@link #resetParameters} draws fresh weights from a seeded generator.
 */
public abstract class Module {
    private final Map<String, Variable> params = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private boolean training = true;

    /** Computes the output for a batch. */
    public abstract Variable forward(Variable x);

    /** The name of the output of a one-output model in {@link #forwardAll}. */
    public static final String OUTPUT = "output";

    /** The model's input names: {@link Graph#INPUT} (the same word as a batch's input field) unless a graph names others. */
    public List<String> inputNames() { return List.of(Graph.INPUT); }

    /** The model's output names: {@link #OUTPUT}, or a graph's output nodes. */
    public List<String> outputNames() { return List.of(OUTPUT); }

    /** Every output by name for inputs by name: the general form of {@link #forward} (several heads, several inputs). */
    public Map<String, Variable> forwardAll(Map<String, Variable> inputs) {
        Variable x = inputs.get(Graph.INPUT);
        if (x == null) throw new IllegalArgumentException(this + ": input '" + Graph.INPUT + "' not given (given " + inputs.keySet() + ")");
        return Map.of(OUTPUT, forward(x));
    }

    /** Output shape for an input shape (first dimension is the batch, possibly {@link Shape#ANY}). */
    public abstract Shape outputShape(Shape input);

    /** Multiply-accumulate operations per sample for an input of this shape (0 when negligible). */
    public long macs(Shape input) {
        return 0;
    }

    /** Draws fresh parameter values; containers pass the generator on to their children in order. */
    public void resetParameters(Random rnd) {
        for (Module m : children.values()) m.resetParameters(rnd);
    }

    protected final Variable registerParameter(String name, Tensor value) {
        requireNewName(name);
        Variable v = Variable.parameter(value);
        params.put(name, v);
        return v;
    }

    /** State that is saved and loaded but not trained (BatchNorm's running statistics). */
    protected final void registerBuffer(String name, Tensor value) {
        requireNewName(name);
        buffers.put(name, value);
    }

    /** The current value of a buffer registered by this module. */
    protected final Tensor buffer(String name) { return buffers.get(name); }

    /** Replaces a buffer's value (same shape). */
    protected final void setBuffer(String name, Tensor value) {
        if (!buffers.containsKey(name)) throw new IllegalArgumentException(this + ": no buffer '" + name + "'");
        buffers.put(name, value);
    }

    /** Every buffer of this module and its descendants, named by path. */
    public final Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect("", m -> m.buffers, out);
        return out;
    }

    /** Walks the module tree depth-first, adding each module's own entries under its path prefix. */
    private <T> void collect(String prefix, java.util.function.Function<Module, Map<String, T>> own, Map<String, T> out) {
        for (Map.Entry<String, T> e : own.apply(this).entrySet()) out.put(prefix + e.getKey(), e.getValue());
        for (Map.Entry<String, Module> e : children.entrySet()) e.getValue().collect(prefix + e.getKey() + ".", own, out);
    }

    private Module owner(String path) {
        Module m = this;
        String[] parts = path.split("\\.");
        for (int i = 0; i < parts.length - 1; i++) m = m.children.get(parts[i]);
        return m;
    }

    /** Parameters, buffers and children share one namespace (they share the state dict's keys). */
    private void requireNewName(String name) {
        if (params.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(this + ": duplicate name '" + name + "'");
        }
    }

    protected final <M extends Module> M registerChild(String name, M child) {
        requireNewName(name);
        children.put(name, child);
        return child;
    }

    /** Puts a different layer in an existing child's place (same name, same position). */
    protected final void replaceChild(String name, Module child) {
        if (!children.containsKey(name)) throw new IllegalArgumentException(this + ": no child '" + name + "'");
        children.put(name, child);
        child.setTraining(training);
    }

    /** Direct children in registration order. */
    public final Map<String, Module> children() { return java.util.Collections.unmodifiableMap(children); }

    /** Every parameter of this module and its descendants, named by path ({@code "0.weight"}). */
    public final Map<String, Variable> namedParameters() {
        Map<String, Variable> out = new LinkedHashMap<>();
        collect("", m -> m.params, out);
        return out;
    }

    public final List<Variable> parameters() { return new ArrayList<>(namedParameters().values()); }

    /** The parameters whose path starts with {@code prefix} ("" = all); none matching is an error naming what exists. */
    public final List<Variable> parameters(String prefix) {
        List<Variable> out = new ArrayList<>();
        for (Map.Entry<String, Variable> e : namedParameters().entrySet()) if (e.getKey().startsWith(prefix)) out.add(e.getValue());
        if (out.isEmpty()) {
            throw new IllegalArgumentException(this + ": no parameter name starts with '" + prefix + "' (names: "
                    + namedParameters().keySet().stream().map(k -> k.substring(0, k.lastIndexOf('.') < 0 ? k.length() : k.lastIndexOf('.'))).distinct().toList() + ")");
        }
        return out;
    }

    /** Stops training the parameters under {@code prefix} ("" = all): transfer learning keeps a pre-trained body fixed. */
    public final Module freeze(String prefix) {
        for (Variable v : parameters(prefix)) v.setRequiresGrad(false);
        return this;
    }

    /** Trains the parameters under {@code prefix} again (fine-tuning). */
    public final Module unfreeze(String prefix) {
        for (Variable v : parameters(prefix)) v.setRequiresGrad(true);
        return this;
    }

    /** Parameter values that train (not frozen). */
    public final long trainableParameterCount() {
        long n = 0;
        for (Variable v : namedParameters().values()) if (v.requiresGrad()) n += v.data().numel();
        return n;
    }

    public final long parameterCount() {
        long n = 0;
        for (Variable v : namedParameters().values()) n += v.data().numel();
        return n;
    }

    /** Copies of all parameter and buffer values by name. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Variable> e : namedParameters().entrySet()) out.put(e.getKey(), e.getValue().data().copy());
        for (Map.Entry<String, Tensor> e : namedBuffers().entrySet()) out.put(e.getKey(), e.getValue().copy());
        return out;
    }

    /** Loads values by name; every parameter and buffer must be present with its exact shape, and nothing else. */
    public final void loadStateDict(Map<String, Tensor> state) {
        Map<String, Tensor> mine = new LinkedHashMap<>();
        for (Map.Entry<String, Variable> e : namedParameters().entrySet()) mine.put(e.getKey(), e.getValue().data());
        mine.putAll(namedBuffers());
        for (String k : state.keySet()) {
            if (!mine.containsKey(k)) throw new IllegalArgumentException("loadStateDict: unexpected entry '" + k + "'; model has " + mine.keySet());
        }
        for (Map.Entry<String, Tensor> e : mine.entrySet()) {
            Tensor t = state.get(e.getKey());
            if (t == null) throw new IllegalArgumentException("loadStateDict: missing parameter '" + e.getKey() + "'");
            if (!Arrays.equals(t.shape(), e.getValue().shape())) {
                throw new IllegalArgumentException("loadStateDict: '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + ", model expects " + Arrays.toString(e.getValue().shape()));
            }
        }
        Map<String, Variable> params = namedParameters();
        for (Map.Entry<String, Tensor> e : mine.entrySet()) {
            Tensor value = state.get(e.getKey());
            Variable v = params.get(e.getKey());
            if (v != null) {
                v.setData(value.to(v.dtype()).copy());
            } else {
                String name = e.getKey().substring(e.getKey().lastIndexOf('.') + 1);
                owner(e.getKey()).setBuffer(name, value.to(e.getValue().dtype()).copy());
            }
        }
    }

    /** Converts every parameter to {@code dtype} in place (float64 for gradient checks). */
    public final Module to(DType dtype) {
        for (Variable v : namedParameters().values()) v.setData(v.data().to(dtype));
        for (Map.Entry<String, Tensor> e : namedBuffers().entrySet()) {
            String name = e.getKey().substring(e.getKey().lastIndexOf('.') + 1);
            owner(e.getKey()).setBuffer(name, e.getValue().to(dtype));
        }
        return this;
    }

    /** Training mode (dropout active, batch statistics used) for this module and all descendants. */
    public final Module train() { return setTraining(true); }

    /** Evaluation mode for this module and all descendants. */
    public final Module eval() { return setTraining(false); }

    private Module setTraining(boolean on) {
        training = on;
        for (Module m : children.values()) m.setTraining(on);
        return this;
    }

    public final boolean isTraining() { return training; }

    /** A Keras-style table of layers, output shapes, parameters and MACs. */
    public final String summary(Shape input) { return Summary.of(this, input); }

    /** The layer's type and non-default settings, e.g. {@code Linear(784→256)}. */
    @Override public String toString() { return getClass().getSimpleName(); }
}
