package dev.lathe.nn;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.Random;

/**
 * Fully connected layer y = x W^T + b over the last axis. W has shape [out, in] (as in PyTorch and
 * ONNX Gemm with transB=1), b has shape [out].
 *
 * <pre>{@code
 * Linear fc = new Linear(784, 256);      // He-uniform weights, zero bias
 * Variable y = fc.forward(x);            // x: [batch, 784] -> y: [batch, 256]
 * }</pre>
 */
public final class Linear extends Module {
    private final int in, out;
    private final boolean hasBias;
    private final Init init;
    private final Variable weight;
    private final Variable bias;

    public Linear(int in, int out) { this(in, out, true, Init.heUniform()); }

    public Linear(int in, int out, boolean bias, Init init) {
        if (in <= 0 || out <= 0) throw new IllegalArgumentException("Linear(" + in + "→" + out + "): sizes must be positive");
        this.in = in;
        this.out = out;
        this.hasBias = bias;
        this.init = init;
        Random rnd = new Random(0);
        this.weight = registerParameter("weight", init.create(rnd, in, out, out, in));
        this.bias = bias ? registerParameter("bias", Tensor.zeros(out)) : null;
    }

    public int inFeatures() { return in; }

    public int outFeatures() { return out; }

    public Variable weight() { return weight; }

    /** The bias, or null when built without one. */
    public Variable bias() { return bias; }

    @Override public void resetParameters(Random rnd) {
        weight.setData(init.create(rnd, in, out, out, in).to(weight.dtype()));
        if (bias != null) bias.setData(Tensor.zeros(out).to(bias.dtype()));
    }

    @Override public Variable forward(Variable x) {
        int[] s = x.shape();
        if (s.length == 0 || s[s.length - 1] != in) {
            throw new IllegalArgumentException(this + ": input has " + (s.length == 0 ? "no" : Integer.toString(s[s.length - 1]))
                    + " features (input shape " + java.util.Arrays.toString(s) + ")");
        }
        return Ops.linear(x, weight, bias);
    }

    @Override public Shape outputShape(Shape input) {
        if (input.rank() == 0 || input.dim(-1) != in) throw new IllegalArgumentException(this + ": input shape " + input + " does not end in " + in);
        return input.with(-1, out);
    }

    @Override public long macs(Shape input) {
        long rows = 1;
        for (int i = 1; i < input.rank() - 1; i++) rows *= input.dim(i);
        return rows * in * out;
    }

    @Override public String toString() { return "Linear(" + in + "→" + out + (hasBias ? "" : ", no bias") + ")"; }
}
