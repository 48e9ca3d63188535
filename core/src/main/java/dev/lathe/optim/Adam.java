package dev.lathe.optim;

import dev.lathe.autograd.Variable;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba) with bias correction; AdamW (Loshchilov and Hutter) when weight decay is
 * decoupled: w -= lr wd w before the Adam step, instead of adding wd w to the gradient.
 */
public final class Adam extends Optimizer {
    private final double beta1, beta2, eps;
    private final boolean decoupled;
    private final float[][] m, v;

    public Adam(List<Variable> params, double lr) { this(params, lr, 0.9, 0.999, 1e-8, 0, false); }

    public Adam(List<Variable> params, double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled) {
        super(params, lr, weightDecay);
        if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam: betas must be in [0, 1), got " + beta1 + ", " + beta2);
        }
        checkPositive("eps", eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.decoupled = decoupled;
        this.m = buffers();
        this.v = buffers();
    }

    @Override protected void update(int index, float[] w, float[] g, float lr, long step) {
        float[] mi = ensure(m, index, w.length), vi = ensure(v, index, w.length);
        float b1 = (float) beta1, b2 = (float) beta2, e = (float) eps, wd = (float) weightDecay;
        // fold both bias corrections into the step size: lr * sqrt(1 - b2^t) / (1 - b1^t)
        double c1 = 1 - Math.pow(beta1, step), c2 = 1 - Math.pow(beta2, step);
        float alpha = (float) (lr / c1), rc2 = (float) (1 / Math.sqrt(c2));
        float l2 = decoupled ? 0f : wd, shrink = decoupled ? 1f - lr * wd : 1f;
        for (int i = 0; i < w.length; i++) {
            float gi = g[i] + l2 * w[i];
            mi[i] = b1 * mi[i] + (1 - b1) * gi;
            vi[i] = b2 * vi[i] + (1 - b2) * gi * gi;
            w[i] = w[i] * shrink - alpha * mi[i] / ((float) Math.sqrt(vi[i]) * rc2 + e);
        }
    }

    @Override protected Map<String, float[][]> slots() { return Map.of("m", m, "v", v); }

    @Override public String name() { return decoupled ? "AdamW" : "Adam"; }
}
