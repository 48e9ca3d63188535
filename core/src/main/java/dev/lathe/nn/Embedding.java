package dev.lathe.nn;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.Random;

/** A lookup table of learned vectors, one per token: [batch, steps] token ids (held as floats) to [batch, steps, dim]. */
public final class Embedding extends Module {
    private final int vocab, dim;
    private final Variable weight;

    public Embedding(int vocab, int dim) {
        if (vocab < 1 || dim < 1) throw new IllegalArgumentException("Embedding(" + vocab + ", " + dim + "): sizes must be positive");
        this.vocab = vocab;
        this.dim = dim;
        this.weight = registerParameter("weight", Tensor.zeros(vocab, dim));
    }

    public Variable weight() { return weight; }

    public int dim() { return dim; }

    public int vocab() { return vocab; }

    /** N(0, 1) entries, as PyTorch's default. */
    @Override public void resetParameters(Random rnd) { weight.data().assign(Tensor.normal(rnd, 0, 1, vocab, dim)); }

    /** The vectors of token ids given directly: result [ids.length, dim]. */
    public Variable lookup(int[] ids) { return Ops.embedding(weight, ids); }

    /** Token ids held as floats, checked to be whole numbers; {@code who} names the layer in the error. */
    public static int[] tokenIds(Tensor t, Object who) {
        double[] v = t.toDoubleArray();
        int[] ids = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            ids[i] = (int) v[i];
            if (ids[i] != v[i]) throw new IllegalArgumentException(who + ": input holds " + v[i] + " at " + i + ", expected token ids");
        }
        return ids;
    }

    @Override public Variable forward(Variable x) {
        int[] s = x.shape();
        int[] ids = tokenIds(x.data(), this);
        int[] out = java.util.Arrays.copyOf(s, s.length + 1);
        out[s.length] = dim;
        return Ops.reshape(lookup(ids), out);
    }

    @Override public Shape outputShape(Shape input) {
        int[] d = java.util.Arrays.copyOf(input.dims(), input.rank() + 1);
        d[input.rank()] = dim;
        return Shape.of(d);
    }

    @Override public String toString() { return "Embedding(" + vocab + ", " + dim + ")"; }
}
