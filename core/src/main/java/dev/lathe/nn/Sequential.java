package dev.lathe.nn;

import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Layers applied one after another; children are named "0", "1", ... so parameter names read
 * {@code "0.weight"}, as in PyTorch.
 *
 * <pre>{@code
 * Sequential mlp = new Sequential(new Linear(784, 256), Activation.relu(), new Linear(256, 10));
 * mlp.resetParameters(new Random(0));
 * }</pre>
 */
public final class Sequential extends Module {
    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... layers) {
        for (Module m : layers) add(m);
    }

    public Sequential add(Module m) {
        if (m == null) throw new IllegalArgumentException("Sequential: layer " + layers.size() + " is null");
        registerChild(Integer.toString(layers.size()), m);
        layers.add(m);
        return this;
    }

    public List<Module> layers() { return List.copyOf(layers); }

    /** Puts a different layer at {@code index} (a new classification head, say); its parameters are named "index.*" as before. */
    public Sequential replace(int index, Module m) {
        if (index < 0 || index >= layers.size()) throw new IllegalArgumentException("Sequential: no layer " + index + " (has " + layers.size() + ")");
        if (m == null) throw new IllegalArgumentException("Sequential: layer " + index + " is null");
        replaceChild(Integer.toString(index), m);
        layers.set(index, m);
        return this;
    }

    /** Runs the layers in order; a ReLU followed by a max pool runs as one fused op (same values and gradients, less memory traffic). */
    @Override public Variable forward(Variable x) {
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            if (i + 1 < layers.size() && m instanceof Activation a && a.kind() == Activation.Kind.RELU
                    && layers.get(i + 1) instanceof Pool2d p && p.fusesRelu()) {
                x = p.forwardAfterRelu(x);
                i++;
                continue;
            }
            x = m.forward(x);
        }
        return x;
    }

    @Override public Shape outputShape(Shape input) {
        for (Module m : layers) input = m.outputShape(input);
        return input;
    }

    @Override public long macs(Shape input) {
        long total = 0;
        for (Module m : layers) {
            total += m.macs(input);
            input = m.outputShape(input);
        }
        return total;
    }

    @Override public void resetParameters(Random rnd) {
        for (Module m : layers) m.resetParameters(rnd);
    }

    @Override public String toString() { return "Sequential(" + layers.size() + " layers)"; }
}
