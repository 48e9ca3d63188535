package dev.lathe.nn;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.Random;

/**
 * Inverted dropout, as in the course: while training, each value is zeroed with probability p and
 * the survivors are scaled by 1/(1-p), so evaluation uses the layer as identity with no rescaling.
 * The mask generator is seeded by {@link #resetParameters}, so runs repeat exactly.
 */
public final class Dropout extends Module {
    private double p;
    private Random rnd = new Random(0);

    public Dropout(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("Dropout: probability must be in [0, 1), got " + p);
        this.p = p;
    }

    public double probability() { return p; }

    /** Changes the drop probability (pruning lowers it for a sparser layer, Han et al. 2015). */
    public void setProbability(double p) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("Dropout: probability must be in [0, 1), got " + p);
        this.p = p;
    }

    @Override public void resetParameters(Random seedSource) { rnd = new Random(seedSource.nextLong()); }

    @Override public Variable forward(Variable x) {
        if (!isTraining() || p == 0) return x;
        int[] shape = x.shape();
        float keep = (float) (1.0 / (1.0 - p));
        Tensor mask = Tensor.zeros(shape);
        float[] m = mask.floatData();
        for (int i = 0; i < m.length; i++) m[i] = rnd.nextDouble() < p ? 0f : keep;
        return Ops.mul(x, Variable.constant(mask.to(x.dtype())));
    }

    @Override public Shape outputShape(Shape input) { return input; }

    @Override public String toString() { return "Dropout(" + p + ")"; }
}
