package dev.lathe.optim;

import dev.lathe.autograd.Variable;
import java.util.List;
import java.util.Map;

/** RMSProp (Hinton): s = a s + (1 - a) g^2; w -= lr g / (sqrt(s) + eps). */
public final class RmsProp extends Optimizer {
    private final double alpha, eps;
    private final float[][] square;

    public RmsProp(List<Variable> params, double lr) { this(params, lr, 0.99, 1e-8, 0); }

    public RmsProp(List<Variable> params, double lr, double alpha, double eps, double weightDecay) {
        super(params, lr, weightDecay);
        if (!(alpha >= 0 && alpha < 1)) throw new IllegalArgumentException("RmsProp: alpha must be in [0, 1), got " + alpha);
        checkPositive("eps", eps);
        this.alpha = alpha;
        this.eps = eps;
        this.square = buffers();
    }

    @Override protected void update(int index, float[] w, float[] g, float lr, long step) {
        float[] s = ensure(square, index, w.length);
        float a = (float) alpha, e = (float) eps, wd = (float) weightDecay;
        for (int i = 0; i < w.length; i++) {
            float gi = g[i] + wd * w[i];
            s[i] = a * s[i] + (1 - a) * gi * gi;
            w[i] -= lr * gi / ((float) Math.sqrt(s[i]) + e);
        }
    }

    @Override protected Map<String, float[][]> slots() { return Map.of("square", square); }

    @Override public String name() { return "RMSProp"; }
}
