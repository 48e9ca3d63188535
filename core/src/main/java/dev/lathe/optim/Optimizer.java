package dev.lathe.optim;

import dev.lathe.autograd.Variable;
import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients. Subclasses implement {@link #update} for one parameter;
 * weight decay here is classic L2 (added to the gradient) unless a subclass decouples it (AdamW).
 */
public abstract class Optimizer {
    protected final List<Variable> params;
    private double lr;
    protected final double weightDecay;
    private long steps;
    /** Per-parameter multiplier of the learning rate (parameter groups: a smaller rate for a pre-trained body). */
    private final double[] lrScale;

    protected Optimizer(List<Variable> params, double lr, double weightDecay) {
        if (params.isEmpty()) throw new IllegalArgumentException(name() + ": no parameters to optimize");
        checkPositive("learning rate", lr);
        if (!(weightDecay >= 0)) throw new IllegalArgumentException(name() + ": weight decay must be >= 0, got " + weightDecay);
        for (Variable p : params) {
            if (p.dtype() != DType.FLOAT32) throw new IllegalArgumentException(name() + ": parameters must be float32, got " + p);
        }
        this.params = List.copyOf(params);
        this.lr = lr;
        this.weightDecay = weightDecay;
        this.lrScale = new double[params.size()];
        java.util.Arrays.fill(lrScale, 1.0);
    }

    /** Multiplies the learning rate of these parameters (a group) by {@code scale}; the schedule still applies on top. */
    public final Optimizer scaleLearningRate(java.util.Collection<Variable> group, double scale) {
        if (!(scale >= 0) || Double.isInfinite(scale)) throw new IllegalArgumentException(name() + ": learning-rate scale must be >= 0 and finite, got " + scale);
        int found = 0;
        for (int i = 0; i < params.size(); i++) {
            for (Variable v : group) {
                if (v == params.get(i)) {
                    lrScale[i] = scale;
                    found++;
                }
            }
        }
        if (found != group.size()) throw new IllegalArgumentException(name() + ": " + (group.size() - found) + " of the group's parameters are not optimized by this optimizer");
        return this;
    }

    protected final void checkPositive(String what, double v) {
        if (!(v > 0) || Double.isInfinite(v)) throw new IllegalArgumentException(name() + ": " + what + " must be positive and finite, got " + v);
    }

    private double l1;

    /**
     * Adds an L1 penalty l1 * sum |w| over the weights (parameters of rank >= 2; biases and batch-norm
     * scales are left alone): its subgradient l1 * sign(w) joins the gradient before each update.
     * It drives small weights to zero, the regularizer Han et al. prune after.
     */
    public final Optimizer l1(double lambda) {
        if (!(lambda >= 0) || Double.isInfinite(lambda)) throw new IllegalArgumentException(name() + ": L1 strength must be >= 0 and finite, got " + lambda);
        this.l1 = lambda;
        return this;
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        steps++;
        for (int i = 0; i < params.size(); i++) {
            Variable p = params.get(i);
            if (p.grad() == null) continue;
            if (l1 > 0 && p.shape().length >= 2) {
                float[] w = p.data().floatData(), g = p.grad().floatData();
                float s = (float) l1;
                for (int j = 0; j < w.length; j++) g[j] += s * Math.signum(w[j]);
            }
            update(i, p.data().floatData(), p.grad().floatData(), (float) (lr * lrScale[i]), steps);
        }
    }

    /** Updates parameter {@code index} in place; {@code step} counts from 1. */
    protected abstract void update(int index, float[] w, float[] g, float lr, long step);

    public final void zeroGrad() {
        for (Variable p : params) p.zeroGrad();
    }

    public final double learningRate() { return lr; }

    public final void setLearningRate(double lr) {
        checkPositive("learning rate", lr);
        this.lr = lr;
    }

    public final long steps() { return steps; }

    public final List<Variable> parameters() { return params; }

    public String name() { return getClass().getSimpleName(); }

    /** The per-parameter state buffers by slot name (momentum's "velocity", Adam's "m" and "v"); none by default. */
    protected Map<String, float[][]> slots() { return Map.of(); }

    /** A copy of the state, as tensors named {@code slot.index} (index into {@link #parameters()}), for checkpoints. */
    public final Map<String, Tensor> state() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (var e : slots().entrySet()) {
            float[][] bufs = e.getValue();
            for (int i = 0; i < bufs.length; i++) {
                if (bufs[i] != null) out.put(e.getKey() + "." + i, Tensor.of(bufs[i].clone(), bufs[i].length));
            }
        }
        return out;
    }

    /** Restores state saved by {@link #state()} and the step count; every entry must fit a slot and its parameter's size. */
    public final void loadState(Map<String, Tensor> state, long steps) {
        if (steps < 0) throw new IllegalArgumentException(name() + ": step count must be >= 0, got " + steps);
        Map<String, float[][]> slots = slots();
        for (var e : state.entrySet()) {
            String key = e.getKey();
            int dot = key.lastIndexOf('.');
            float[][] bufs = dot < 0 ? null : slots.get(key.substring(0, dot));
            int index;
            try {
                index = dot < 0 ? -1 : Integer.parseInt(key.substring(dot + 1));
            } catch (NumberFormatException ex) {
                index = -1;
            }
            if (bufs == null || index < 0 || index >= bufs.length) {
                throw new IllegalArgumentException(name() + ": state entry '" + key + "' does not fit this optimizer (slots " + slots.keySet() + ", " + params.size() + " parameters)");
            }
            int n = params.get(index).data().numel();
            if (e.getValue().numel() != n) throw new IllegalArgumentException(name() + ": state '" + key + "' has " + e.getValue().numel() + " values, parameter " + index + " has " + n);
            bufs[index] = e.getValue().toFloatArray();
        }
        this.steps = steps;
    }

    /** Per-parameter state buffers, created lazily with the parameter's size. */
    protected final float[][] buffers() { return new float[params.size()][]; }

    protected static float[] ensure(float[][] state, int i, int n) {
        if (state[i] == null) state[i] = new float[n];
        return state[i];
    }

    /**
     * Builds an optimizer by name: sgd, momentum (0.9), nesterov (0.9), adam, adamw, rmsprop.
     * {@code weightDecay} is L2 for all but adamw, where it is decoupled.
     */
    public static Optimizer named(String name, List<Variable> params, double lr, double weightDecay) {
        return switch (name.toLowerCase()) {
            case "sgd" -> new Sgd(params, lr, 0, false, weightDecay);
            case "momentum" -> new Sgd(params, lr, 0.9, false, weightDecay);
            case "nesterov" -> new Sgd(params, lr, 0.9, true, weightDecay);
            case "adam" -> new Adam(params, lr, 0.9, 0.999, 1e-8, weightDecay, false);
            case "adamw" -> new Adam(params, lr, 0.9, 0.999, 1e-8, weightDecay, true);
            case "rmsprop" -> new RmsProp(params, lr, 0.99, 1e-8, weightDecay);
            default -> throw new IllegalArgumentException("unknown optimizer '" + name + "' (sgd, momentum, nesterov, adam, adamw, rmsprop)");
        };
    }
}
