package dev.lathe.optim;

import dev.lathe.autograd.Variable;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional momentum and Nesterov momentum (PyTorch's form):
 * v = mu v + g; w -= lr (nesterov ? g + mu v : v). Plain SGD when mu = 0.
 */
public final class Sgd extends Optimizer {
    private final double momentum;
    private final boolean nesterov;
    private final float[][] velocity;

    public Sgd(List<Variable> params, double lr) { this(params, lr, 0, false, 0); }

    public Sgd(List<Variable> params, double lr, double momentum, boolean nesterov, double weightDecay) {
        super(params, lr, weightDecay);
        if (!(momentum >= 0 && momentum < 1)) throw new IllegalArgumentException("Sgd: momentum must be in [0, 1), got " + momentum);
        if (nesterov && momentum == 0) throw new IllegalArgumentException("Sgd: Nesterov needs momentum > 0");
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.velocity = buffers();
    }

    @Override protected void update(int index, float[] w, float[] g, float lr, long step) {
        float wd = (float) weightDecay, mu = (float) momentum;
        if (mu == 0) {
            for (int i = 0; i < w.length; i++) w[i] -= lr * (g[i] + wd * w[i]);
            return;
        }
        // the first update of this parameter starts the velocity at the gradient (PyTorch's rule), also after a late unfreeze
        boolean first = velocity[index] == null;
        float[] v = ensure(velocity, index, w.length);
        for (int i = 0; i < w.length; i++) {
            float gi = g[i] + wd * w[i];
            v[i] = first ? gi : mu * v[i] + gi;
            w[i] -= lr * (nesterov ? gi + mu * v[i] : v[i]);
        }
    }

    @Override protected Map<String, float[][]> slots() { return Map.of("velocity", velocity); }

    @Override public String name() { return momentum == 0 ? "SGD" : nesterov ? "SGD(nesterov " + momentum + ")" : "SGD(momentum " + momentum + ")"; }
}
