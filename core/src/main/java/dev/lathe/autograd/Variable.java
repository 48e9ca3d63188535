package dev.lathe.autograd;

import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tensor in the autodiff graph. Operations on Variables (see {@link Ops}) compute their result
 * eagerly and, while gradients are enabled, remember their inputs and a backward rule; calling
 * {@link #backward()} on a scalar result walks that record in reverse and accumulates
 * {@link #grad()} on every leaf that requires gradients.
 *
 * <pre>{@code
 * Variable w = Variable.parameter(Tensor.of(new float[] {2f}, 1));
 * Variable loss = w.mul(w).sum();   // w^2
 * loss.backward();                  // w.grad() == [4]
 * }</pre>
 */
public final class Variable {
    /** A backward rule: receives d(output) and pushes gradients into the inputs. */
    @FunctionalInterface
    public interface Backward { void apply(Tensor gradOut); }

    private Tensor data;
    private Tensor grad;
    private boolean requiresGrad;
    private final Variable[] inputs;
    private final Backward backward;
    private final String op;

    private Variable(Tensor data, boolean requiresGrad, Variable[] inputs, Backward backward, String op) {
        this.data = data;
        this.requiresGrad = requiresGrad;
        this.inputs = inputs;
        this.backward = backward;
        this.op = op;
    }

    /** A constant: no gradient flows into it. */
    public static Variable constant(Tensor data) { return new Variable(data, false, new Variable[0], null, "const"); }

    /** A trainable leaf: gradients accumulate in {@link #grad()}. */
    public static Variable parameter(Tensor data) { return new Variable(data, true, new Variable[0], null, "param"); }

    /**
     * The result of an operation. With gradients disabled, or when no input requires them, the
     * result is a constant and the backward rule is dropped (so no graph is kept).
     */
    static Variable result(String op, Tensor data, Backward backward, Variable... inputs) {
        if (!GradMode.isEnabled()) return constant(data);
        for (Variable v : inputs) {
            if (v.requiresGrad) return new Variable(data, true, inputs, backward, op);
        }
        return constant(data);
    }

    public Tensor data() { return data; }

    /** Replaces the value of a leaf (optimizers and weight loading use this); shape must not change. */
    public void setData(Tensor t) {
        if (!isLeaf()) throw new IllegalStateException("setData: '" + op + "' is not a leaf");
        if (!Arrays.equals(t.shape(), data.shape())) {
            throw new IllegalArgumentException("setData: shape " + Arrays.toString(t.shape()) + " does not match " + Arrays.toString(data.shape()));
        }
        data = t;
    }

    /** Accumulated gradient (same shape as data), or null before any backward pass reached it. */
    public Tensor grad() { return grad; }

    public void zeroGrad() { grad = null; }

    public boolean requiresGrad() { return requiresGrad; }

    /**
     * Freezes (false) or unfreezes (true) a parameter: a frozen one gets no gradient, so optimizers
     * leave it unchanged and backward does not compute it. Only parameters can change.
     */
    public void setRequiresGrad(boolean on) {
        if (!op.equals("param")) throw new IllegalStateException("setRequiresGrad: only parameters can be frozen or unfrozen, not " + this);
        requiresGrad = on;
        if (!on) grad = null;
    }

    public boolean isLeaf() { return inputs.length == 0; }

    public String op() { return op; }

    public int[] shape() { return data.shape(); }

    public DType dtype() { return data.dtype(); }

    /** Adds {@code g} into this variable's gradient (a value used twice gets both contributions). */
    void accumulate(Tensor g) {
        if (!requiresGrad) return;
        if (grad == null) grad = g.copy();
        else grad.addInPlace(g);
    }

    /**
     * As {@link #accumulate}, for a gradient tensor the caller has just created and holds no other
     * reference to: the first contribution is kept as is instead of copied (a 6 MB copy per conv
     * layer and step otherwise).
     */
    void accumulateOwned(Tensor g) {
        if (!requiresGrad) return;
        if (grad == null && g.isContiguous()) grad = g;
        else accumulate(g);
    }

    /** Backpropagates from this scalar (seed gradient 1). */
    public void backward() {
        if (data.numel() != 1) {
            throw new IllegalStateException("backward(): output has shape " + Arrays.toString(data.shape())
                    + "; reduce it to a scalar (e.g. sum or mean) or pass a gradient with backward(Tensor)");
        }
        backward(Tensor.full(data.dtype(), 1.0, data.shape()));
    }

    /** Backpropagates {@code seed} = d(loss)/d(this) through the graph. */
    public void backward(Tensor seed) {
        if (!requiresGrad) throw new IllegalStateException("backward(): result does not depend on any parameter that requires a gradient");
        if (!Arrays.equals(seed.shape(), data.shape())) {
            throw new IllegalArgumentException("backward: seed shape " + Arrays.toString(seed.shape()) + " differs from output " + Arrays.toString(data.shape()));
        }
        List<Variable> order = topologicalOrder();
        accumulate(seed);
        for (int i = order.size() - 1; i >= 0; i--) {
            Variable v = order.get(i);
            if (v.isLeaf() || v.grad == null) continue;
            v.backward.apply(v.grad);
            v.grad = null;  // intermediate gradients are not kept: frees memory as we go
        }
    }

    /** Inputs before outputs, found with an explicit stack (deep graphs must not overflow the call stack). */
    private List<Variable> topologicalOrder() {
        List<Variable> order = new ArrayList<>();
        Map<Variable, Boolean> visited = new IdentityHashMap<>();
        ArrayDeque<Variable> stack = new ArrayDeque<>();
        ArrayDeque<Integer> next = new ArrayDeque<>();
        stack.push(this);
        next.push(0);
        visited.put(this, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Variable v = stack.peek();
            int i = next.pop();
            if (i < v.inputs.length) {
                next.push(i + 1);
                Variable in = v.inputs[i];
                if (in.requiresGrad && visited.put(in, Boolean.TRUE) == null) {
                    stack.push(in);
                    next.push(0);
                }
            } else {
                stack.pop();
                order.add(v);
            }
        }
        return order;
    }

    // ---- fluent forms of the operations in Ops ----------------------------------------------

    public Variable add(Variable o) { return Ops.add(this, o); }
    public Variable sub(Variable o) { return Ops.sub(this, o); }
    public Variable mul(Variable o) { return Ops.mul(this, o); }
    public Variable div(Variable o) { return Ops.div(this, o); }
    public Variable mul(double s) { return Ops.scale(this, s); }
    public Variable neg() { return Ops.scale(this, -1); }
    public Variable pow(double p) { return Ops.pow(this, p); }
    public Variable exp() { return Ops.exp(this); }
    public Variable log() { return Ops.log(this); }
    public Variable sqrt() { return Ops.sqrt(this); }
    public Variable matmul(Variable o) { return Ops.matmul(this, o); }
    public Variable sum() { return Ops.sum(this); }
    public Variable sum(int[] axes, boolean keepDims) { return Ops.sum(this, axes, keepDims); }
    public Variable mean() { return Ops.mean(this); }
    public Variable max(int axis, boolean keepDim) { return Ops.max(this, axis, keepDim); }
    public Variable reshape(int... shape) { return Ops.reshape(this, shape); }
    public Variable permute(int... order) { return Ops.permute(this, order); }
    public Variable transpose(int a, int b) { return Ops.transpose(this, a, b); }
    public Variable slice(int axis, int start, int end) { return Ops.slice(this, axis, start, end); }
    public Variable relu() { return Ops.relu(this); }
    public Variable leakyRelu(double slope) { return Ops.leakyRelu(this, slope); }
    public Variable sigmoid() { return Ops.sigmoid(this); }
    public Variable tanh() { return Ops.tanh(this); }
    public Variable softmax(int axis) { return Ops.softmax(this, axis); }
    public Variable logSoftmax(int axis) { return Ops.logSoftmax(this, axis); }

    @Override public String toString() { return "Variable(" + op + ", " + data.describe() + (requiresGrad ? ", requires grad" : "") + ")"; }
}
