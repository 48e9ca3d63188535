package dev.lathe.autograd;

import dev.lathe.tensor.Conv;
import dev.lathe.tensor.ConvSpec;
import dev.lathe.tensor.PoolSpec;
import dev.lathe.tensor.Tensor;
import java.util.Arrays;

/**
 * The differentiable primitives: the one place where gradient rules live. Each op computes its
 * forward value with {@link Tensor} kernels and, right below, says how the output gradient
 * {@code g} flows into each input. Broadcast inputs receive {@code g} summed back to their shape.
 * Composite operations (mean, mse, ...) are written with these and need no rule of their own.
 */
public final class Ops {
    private Ops() {}

    // ---- arithmetic ------------------------------------------------------------------------

    public static Variable add(Variable a, Variable b) {
        return Variable.result("add", a.data().add(b.data()), g -> {
            a.accumulate(g.sumTo(a.data().shape()));
            b.accumulate(g.sumTo(b.data().shape()));
        }, a, b);
    }

    public static Variable sub(Variable a, Variable b) {
        return Variable.result("sub", a.data().sub(b.data()), g -> {
            a.accumulate(g.sumTo(a.data().shape()));
            b.accumulate(g.neg().sumTo(b.data().shape()));
        }, a, b);
    }

    public static Variable mul(Variable a, Variable b) {
        return Variable.result("mul", a.data().mul(b.data()), g -> {
            if (a.requiresGrad()) a.accumulate(g.mul(b.data()).sumTo(a.data().shape()));
            if (b.requiresGrad()) b.accumulate(g.mul(a.data()).sumTo(b.data().shape()));
        }, a, b);
    }

    public static Variable div(Variable a, Variable b) {
        return Variable.result("div", a.data().div(b.data()), g -> {
            if (a.requiresGrad()) a.accumulate(g.div(b.data()).sumTo(a.data().shape()));
            // d(a/b)/db = -a / b^2
            if (b.requiresGrad()) b.accumulate(g.mul(a.data()).div(b.data().mul(b.data())).neg().sumTo(b.data().shape()));
        }, a, b);
    }

    /** a * s for a constant s. */
    public static Variable scale(Variable a, double s) {
        return Variable.result("scale", a.data().mul(s), g -> a.accumulate(g.mul(s)), a);
    }

    /** a^p for a constant p. */
    public static Variable pow(Variable a, double p) {
        return Variable.result("pow", a.data().pow(p), g -> a.accumulate(g.mul(a.data().pow(p - 1)).mul(p)), a);
    }

    public static Variable exp(Variable a) {
        Tensor y = a.data().exp();
        return Variable.result("exp", y, g -> a.accumulate(g.mul(y)), a);
    }

    public static Variable log(Variable a) {
        return Variable.result("log", a.data().log(), g -> a.accumulate(g.div(a.data())), a);
    }

    public static Variable sqrt(Variable a) {
        Tensor y = a.data().sqrt();
        return Variable.result("sqrt", y, g -> a.accumulate(g.div(y).mul(0.5)), a);
    }

    // ---- activations -------------------------------------------------------------------------

    public static Variable relu(Variable a) { return leakyRelu(a, 0.0); }

    /** x for x &gt; 0, slope * x otherwise (slope 0 is ReLU). */
    public static Variable leakyRelu(Variable a, double slope) {
        Tensor y = slope == 0 ? a.data().relu() : a.data().leakyRelu(slope);
        // relu: one fused pass, g where x > 0 else 0
        return Variable.result(slope == 0 ? "relu" : "leaky_relu", y,
                g -> a.accumulateOwned(slope == 0 ? g.reluMask(a.data()) : g.mul(a.data().leakyReluGrad(slope))), a);
    }

    public static Variable sigmoid(Variable a) {
        Tensor y = a.data().sigmoid();
        // dy/dx = y (1 - y)
        return Variable.result("sigmoid", y, g -> a.accumulate(g.mul(y.mul(y.neg().add(1.0)))), a);
    }

    public static Variable tanh(Variable a) {
        Tensor y = a.data().tanh();
        // dy/dx = 1 - y^2
        return Variable.result("tanh", y, g -> a.accumulate(g.mul(y.mul(y).neg().add(1.0))), a);
    }

    /** Values limited to [lo, hi] (ReLU6 is clamp(x, 0, 6)); the gradient passes only strictly inside. */
    public static Variable clamp(Variable a, double lo, double hi) {
        Tensor x = a.data();
        return Variable.result("clamp", x.clamp(lo, hi), g -> {
            Tensor inside = x.greater(Tensor.scalar(x.dtype(), lo)).mul(Tensor.scalar(x.dtype(), hi).greater(x));
            a.accumulate(g.mul(inside));
        }, a);
    }

    public static Variable softmax(Variable a, int axis) {
        int ax = a.data().axis(axis);
        Tensor y = a.data().softmax(ax);
        // dx = y * (g - sum(g * y))
        return Variable.result("softmax", y, g -> a.accumulate(y.mul(g.sub(g.mul(y).sum(new int[] {ax}, true)))), a);
    }

    public static Variable logSoftmax(Variable a, int axis) {
        int ax = a.data().axis(axis);
        Tensor y = a.data().logSoftmax(ax);
        // dx = g - softmax * sum(g)
        return Variable.result("log_softmax", y, g -> a.accumulate(g.sub(y.exp().mul(g.sum(new int[] {ax}, true)))), a);
    }

    // ---- linear algebra ----------------------------------------------------------------------

    /** Matrix product over the last two axes (batch axes broadcast); 1-D operands as in NumPy. */
    public static Variable matmul(Variable a, Variable b) {
        int ra = a.data().dim(), rb = b.data().dim();
        if (ra == 1 || rb == 1) {  // lower vector cases onto the matrix rule
            Variable x = ra == 1 ? reshape(a, 1, a.data().size(0)) : a;
            Variable y = rb == 1 ? reshape(b, b.data().size(0), 1) : b;
            Variable r = matmul(x, y);
            int[] s = r.data().shape();
            int keep = s.length - (ra == 1 ? 1 : 0) - (rb == 1 ? 1 : 0);
            int[] out = new int[keep];
            for (int i = 0, j = 0; i < s.length; i++) {
                boolean dropRow = ra == 1 && i == s.length - 2, dropCol = rb == 1 && i == s.length - 1;
                if (!dropRow && !dropCol) out[j++] = s[i];
            }
            return reshape(r, out);
        }
        Tensor y = a.data().matmul(b.data());
        return Variable.result("matmul", y, g -> {
            if (a.requiresGrad()) a.accumulate(g.matmul(b.data().transpose(-1, -2)).sumTo(a.data().shape()));
            if (b.requiresGrad()) b.accumulate(a.data().transpose(-1, -2).matmul(g).sumTo(b.data().shape()));
        }, a, b);
    }

    /**
     * Dense layer y = x W^T + b over the last axis of x, with W [out, in] and b [out] (or null).
     * Fused because its rule computes dW = g^T x straight into W's [out, in] layout: the composite
     * (matmul with a transposed W) produced [in, out] and paid a strided copy per step. Measured on
     * the Fashion MLP: 47-49k samples/s with the composite, 57-62k fused.
     */
    public static Variable linear(Variable x, Variable w, Variable b) {
        int[] xs = x.data().shape();
        int in = w.data().size(1), out = w.data().size(0);
        Tensor x2 = x.data().reshape(-1, in);
        Tensor y2 = Tensor.linear(x2, w.data(), b == null ? null : b.data());
        int[] ys = xs.clone();
        ys[ys.length - 1] = out;
        Variable[] inputs = b == null ? new Variable[] {x, w} : new Variable[] {x, w, b};
        return Variable.result("linear", y2.reshape(ys), g -> {
            Tensor g2 = g.reshape(-1, out);
            if (x.requiresGrad()) x.accumulateOwned(g2.matmul(w.data()).reshape(xs));
            if (w.requiresGrad()) w.accumulateOwned(g2.transpose(0, 1).matmul(x2));
            if (b != null && b.requiresGrad()) b.accumulate(g2.sum(new int[] {0}, false));
        }, inputs);
    }

    /**
     * Rows of {@code weight} [vocab, dim] at the given indices: result [indices.length, dim]. The
     * gradient adds each output row's gradient into the row it came from (a token used twice gets both).
     */
    public static Variable embedding(Variable weight, int[] indices) {
        Tensor w = weight.data();
        if (w.dim() != 2) throw new IllegalArgumentException("embedding: weight must be [vocab, dim], got " + Arrays.toString(w.shape()));
        int vocab = w.size(0), dim = w.size(1);
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= vocab) throw new IllegalArgumentException("embedding: index " + indices[i] + " at position " + i + " outside [0, " + vocab + ")");
        }
        double[] table = w.toDoubleArray(), out = new double[indices.length * dim];
        for (int i = 0; i < indices.length; i++) System.arraycopy(table, indices[i] * dim, out, i * dim, dim);
        return Variable.result("embedding", Tensor.of(out, indices.length, dim).to(w.dtype()), g -> {
            double[] gv = g.toDoubleArray(), dw = new double[vocab * dim];
            for (int i = 0; i < indices.length; i++) {
                int base = indices[i] * dim;
                for (int j = 0; j < dim; j++) dw[base + j] += gv[i * dim + j];
            }
            weight.accumulateOwned(Tensor.of(dw, vocab, dim).to(w.dtype()));
        }, weight);
    }

    // ---- convolution and pooling (NCHW) ------------------------------------------------------

    /** 2-D convolution of x [n, c, h, w] with w [o, c/groups, kh, kw] plus b [o] (or null). */
    public static Variable conv2d(Variable x, Variable w, Variable b, ConvSpec spec) {
        Tensor y = Conv.conv2d(x.data(), w.data(), b == null ? null : b.data(), spec);
        Variable[] inputs = b == null ? new Variable[] {x, w} : new Variable[] {x, w, b};
        return Variable.result("conv2d", y, g -> {
            if (x.requiresGrad()) x.accumulateOwned(Conv.conv2dBackwardData(g, w.data(), x.data().shape(), spec));
            if (w.requiresGrad()) w.accumulateOwned(Conv.conv2dBackwardWeight(g, x.data(), w.data().shape(), spec));
            if (b != null && b.requiresGrad()) b.accumulate(g.sum(new int[] {0, 2, 3}, false));
        }, inputs);
    }

    /** Transposed convolution of x [n, in, h, w] with w [in, out/groups, kh, kw] plus b [out] (or null): the adjoint of conv2d. */
    public static Variable convTranspose2d(Variable x, Variable w, Variable b, ConvSpec spec, int outPadH, int outPadW) {
        Tensor y = Conv.convTranspose2d(x.data(), w.data(), b == null ? null : b.data(), spec, outPadH, outPadW);
        Variable[] inputs = b == null ? new Variable[] {x, w} : new Variable[] {x, w, b};
        // y = C^T x for the conv C with these weights: dx = C gy (a forward conv), dw is that conv's weight gradient with x as its output gradient
        return Variable.result("conv_transpose2d", y, g -> {
            if (x.requiresGrad()) x.accumulateOwned(Conv.conv2d(g, w.data(), null, spec));
            if (w.requiresGrad()) w.accumulateOwned(Conv.conv2dBackwardWeight(x.data(), g, w.data().shape(), spec));
            if (b != null && b.requiresGrad()) b.accumulate(g.sum(new int[] {0, 2, 3}, false));
        }, inputs);
    }

    /** x [n, c, h, w] upsampled by whole factors, nearest or bilinear; the gradient splits each output's over its taps. */
    public static Variable resize(Variable x, dev.lathe.kernels.Resize.Mode mode, int scaleH, int scaleW) {
        Tensor y = Conv.resize(x.data(), mode, scaleH, scaleW);
        return Variable.result("resize", y, g -> x.accumulateOwned(Conv.resizeBackward(g, x.data().shape(), mode, scaleH, scaleW, x.dtype())), x);
    }

    public static Variable maxPool2d(Variable x, PoolSpec spec) {
        Conv.MaxPooled p = Conv.maxPool2d(x.data(), spec);
        // the gradient goes to the input position that won each window
        return Variable.result("max_pool2d", p.y(), g -> x.accumulateOwned(Conv.maxPool2dBackward(g, p.argmax(), x.data().shape(), x.dtype())), x);
    }

    /**
     * maxPool(relu(x)) computed as relu(maxPool(x)): equal values, since ReLU is monotone, and equal
     * gradients (a window whose maximum is not positive passes none either way). The ReLU then runs
     * on the pooled tensor, a quarter of the size for 2x2 windows, and the full-size ReLU output is
     * never made: on the Fashion CNN that is two 6 MB passes forward and two backward per conv layer.
     */
    public static Variable reluMaxPool2d(Variable x, PoolSpec spec) {
        Conv.MaxPooled p = Conv.maxPool2d(x.data(), spec);
        Tensor pooled = p.y();
        return Variable.result("relu_max_pool2d", pooled.relu(),
                g -> x.accumulateOwned(Conv.maxPool2dBackward(g.reluMask(pooled), p.argmax(), x.data().shape(), x.dtype())), x);
    }

    public static Variable avgPool2d(Variable x, PoolSpec spec, boolean countPad) {
        Tensor y = Conv.avgPool2d(x.data(), spec, countPad);
        return Variable.result("avg_pool2d", y, g -> x.accumulateOwned(Conv.avgPool2dBackward(g, x.data().shape(), spec, countPad, x.dtype())), x);
    }

    // ---- reductions --------------------------------------------------------------------------

    public static Variable sum(Variable a) {
        int[] axes = new int[a.data().dim()];
        for (int i = 0; i < axes.length; i++) axes[i] = i;
        return sum(a, axes, false);
    }

    public static Variable sum(Variable a, int[] axes, boolean keepDims) {
        Tensor kept = a.data().sum(axes, true);
        int[] keptShape = kept.shape();
        Tensor y = keepDims ? kept : a.data().sum(axes, false);
        // every input element contributed once: spread g back over the reduced axes
        return Variable.result("sum", y, g -> a.accumulate(g.reshape(keptShape).broadcastTo(a.data().shape())), a);
    }

    /** Mean over all elements. */
    public static Variable mean(Variable a) { return scale(sum(a), 1.0 / Math.max(1, a.data().numel())); }

    /** Mean over {@code axes}. */
    public static Variable mean(Variable a, int[] axes, boolean keepDims) {
        int n = 1;
        for (int ax : axes) n *= a.data().size(ax);
        return scale(sum(a, axes, keepDims), 1.0 / Math.max(1, n));
    }

    public static Variable max(Variable a, int axis, boolean keepDim) {
        int ax = a.data().axis(axis);
        Tensor y = a.data().max(ax, keepDim);
        return Variable.result("max", y, g -> {
            // only the (first) maximal element of each slice receives the gradient
            int[] kept = a.data().shape();
            kept[ax] = 1;
            a.accumulate(argmaxMask(a.data(), ax).mul(g.reshape(kept)));
        }, a);
    }

    private static Tensor argmaxMask(Tensor x, int axis) {
        int[] idx = x.argmax(axis);
        int[] shape = x.shape();
        Tensor mask = Tensor.zeros(x.dtype(), shape);
        int dim = shape[axis], inner = 1;
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        Tensor flat = mask.reshape(-1);
        for (int r = 0; r < idx.length; r++) {
            int o = r / inner, i = r % inner;
            flat.set(1.0, (o * dim + idx[r]) * inner + i);
        }
        return mask;
    }

    // ---- shape ---------------------------------------------------------------------------------

    public static Variable reshape(Variable a, int... shape) {
        int[] in = a.data().shape();
        return Variable.result("reshape", a.data().reshape(shape), g -> a.accumulate(g.reshape(in)), a);
    }

    public static Variable permute(Variable a, int... order) {
        Tensor y = a.data().permute(order);
        int[] inverse = new int[order.length];
        for (int i = 0; i < order.length; i++) inverse[a.data().axis(order[i])] = i;
        return Variable.result("permute", y, g -> a.accumulate(g.permute(inverse)), a);
    }

    public static Variable transpose(Variable a, int x, int y) {
        int[] order = new int[a.data().dim()];
        for (int i = 0; i < order.length; i++) order[i] = i;
        int ax = a.data().axis(x), ay = a.data().axis(y);
        order[ax] = ay;
        order[ay] = ax;
        return permute(a, order);
    }

    public static Variable slice(Variable a, int axis, int start, int end) {
        int ax = a.data().axis(axis);
        return Variable.result("slice", a.data().slice(ax, start, end), g -> {
            Tensor full = Tensor.zeros(a.dtype(), a.data().shape());
            full.slice(ax, start, end).assign(g);
            a.accumulate(full);
        }, a);
    }

    public static Variable concat(int axis, Variable... parts) {
        Tensor[] ts = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) ts[i] = parts[i].data();
        Tensor y = Tensor.concat(axis, ts);
        int ax = y.axis(axis);
        return Variable.result("concat", y, g -> {
            int at = 0;
            for (Variable p : parts) {
                int n = p.data().size(ax);
                p.accumulate(g.slice(ax, at, at + n));
                at += n;
            }
        }, parts);
    }

    // ---- fused losses (own rules: faster and numerically stable) --------------------------------

    /**
     * Mean softmax cross-entropy of {@code logits} [B, C] against class indices. Fused: the
     * gradient is (softmax - onehot) / B, with no log of a rounded-to-zero probability.
     */
    public static Variable softmaxCrossEntropy(Variable logits, int[] labels) {
        Tensor z = logits.data();
        if (z.dim() != 2) throw new IllegalArgumentException("crossEntropy: logits must be [batch, classes], got " + Arrays.toString(z.shape()));
        int b = z.size(0), c = z.size(1);
        if (labels.length != b) throw new IllegalArgumentException("crossEntropy: " + labels.length + " labels for a batch of " + b);
        for (int i = 0; i < b; i++) {
            if (labels[i] < 0 || labels[i] >= c) {
                throw new IllegalArgumentException("crossEntropy: label " + labels[i] + " at row " + i + " is outside [0, " + c + ")");
            }
        }
        Tensor logp = z.logSoftmax(1);
        double loss = 0;
        for (int i = 0; i < b; i++) loss -= logp.get(i, labels[i]);
        Tensor y = Tensor.scalar(z.dtype(), loss / b);
        return Variable.result("softmax_cross_entropy", y, g -> {
            Tensor d = logp.exp();
            for (int i = 0; i < b; i++) d.set(d.get(i, labels[i]) - 1.0, i, labels[i]);
            logits.accumulate(d.mul(g.item() / b));
        }, logits);
    }

    /** Mean softmax cross-entropy against target distributions (one-hot or soft) of shape [B, C]. */
    public static Variable softmaxCrossEntropy(Variable logits, Tensor targets) {
        Tensor z = logits.data();
        if (z.dim() != 2 || !Arrays.equals(z.shape(), targets.shape())) {
            throw new IllegalArgumentException("crossEntropy: logits " + Arrays.toString(z.shape()) + " and targets "
                    + Arrays.toString(targets.shape()) + " must both be [batch, classes]");
        }
        int b = z.size(0);
        Tensor logp = z.logSoftmax(1);
        Tensor y = targets.mul(logp).sum().mul(-1.0 / b).to(z.dtype());
        return Variable.result("softmax_cross_entropy", y, g -> {
            // d/dz of -sum(t log softmax z) = softmax * sum(t) - t
            Tensor rowMass = targets.sum(new int[] {1}, true);
            logits.accumulate(logp.exp().mul(rowMass).sub(targets).mul(g.item() / b).to(z.dtype()));
        }, logits);
    }

    /** Mean binary cross-entropy of probabilities p against targets t; p is clamped to [eps, 1-eps]. */
    public static Variable binaryCrossEntropy(Variable p, Tensor t) {
        requireSameShape("binaryCrossEntropy", p.data(), t);
        double eps = 1e-7;
        Tensor q = p.data().clamp(eps, 1 - eps);
        int n = Math.max(1, q.numel());
        // -(t log q + (1-t) log(1-q))
        Tensor terms = t.mul(q.log()).add(t.neg().add(1).mul(q.neg().add(1).log()));
        Tensor y = terms.sum().mul(-1.0 / n).to(p.dtype());
        return Variable.result("binary_cross_entropy", y, g -> {
            // d/dq = (q - t) / (q (1 - q))
            Tensor d = q.sub(t).div(q.mul(q.neg().add(1)));
            p.accumulate(d.mul(g.item() / n).to(p.dtype()));
        }, p);
    }

    /** Mean binary cross-entropy on logits z (sigmoid inside), stable for any z. */
    public static Variable binaryCrossEntropyWithLogits(Variable z, Tensor t) {
        requireSameShape("binaryCrossEntropyWithLogits", z.data(), t);
        Tensor x = z.data();
        int n = Math.max(1, x.numel());
        // max(x, 0) - x t + log(1 + exp(-|x|))
        Tensor absX = x.relu().add(x.neg().relu());
        Tensor terms = x.relu().sub(x.mul(t)).add(absX.neg().exp().add(1).log());
        Tensor y = terms.sum().mul(1.0 / n).to(z.dtype());
        return Variable.result("bce_with_logits", y, g -> z.accumulate(x.sigmoid().sub(t).mul(g.item() / n).to(z.dtype())), z);
    }

    /** Mean squared error. */
    public static Variable mse(Variable prediction, Variable target) {
        requireSameShape("mse", prediction.data(), target.data());
        return mean(pow(sub(prediction, target), 2));
    }

    private static void requireSameShape(String op, Tensor a, Tensor b) {
        if (!Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(op + ": prediction " + Arrays.toString(a.shape()) + " and target " + Arrays.toString(b.shape()) + " differ in shape");
        }
    }
}
