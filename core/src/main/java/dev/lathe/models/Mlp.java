package dev.lathe.models;

import dev.lathe.nn.Activation;
import dev.lathe.nn.Dropout;
import dev.lathe.nn.Flatten;
import dev.lathe.nn.Init;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Sequential;
import java.util.Random;

/**
 * Multi-layer perceptron: Flatten, then for each hidden size Linear + activation (+ Dropout), then
 * a Linear output layer producing logits.
 *
 * <pre>{@code
 * Sequential m = Mlp.of(784, new int[] {256, 128}, 10, "relu", 0.0, 42);   // the Fashion MLP
 * }</pre>
 */
public final class Mlp {
    private Mlp() {}

    public static Sequential of(int inputs, int[] hidden, int outputs, String activation, double dropout, long seed) {
        return of(inputs, hidden, outputs, activation, "auto", dropout, seed);
    }

    /** As above with a named initializer for the hidden layers ("auto": He for ReLU-like, Xavier otherwise). */
    public static Sequential of(int inputs, int[] hidden, int outputs, String activation, String initName, double dropout, long seed) {
        if (inputs <= 0 || outputs <= 0) throw new IllegalArgumentException("mlp: inputs and outputs must be positive, got " + inputs + " and " + outputs);
        boolean reluLike = activation.equals("relu") || activation.startsWith("leaky");
        Init init = !initName.equals("auto") ? Init.named(initName) : reluLike ? Init.heUniform() : Init.xavierUniform();
        Sequential m = new Sequential(new Flatten());
        int prev = inputs;
        for (int h : hidden) {
            if (h <= 0) throw new IllegalArgumentException("mlp: hidden layer sizes must be positive, got " + h);
            m.add(new Linear(prev, h, true, init));
            m.add(Activation.named(activation));
            if (dropout > 0) m.add(new Dropout(dropout));
            prev = h;
        }
        m.add(new Linear(prev, outputs, true, Init.xavierUniform()));
        m.resetParameters(new Random(seed));
        return m;
    }
}
