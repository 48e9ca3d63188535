package dev.lathe.ir;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.kernels.Epilogue;
import dev.lathe.tensor.Conv;
import dev.lathe.tensor.Tensor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a program on whole tensors with the training graph's own kernels, any batch size: the
 * meaning of each op, against which every pass and backend is tested, and what int8 calibration
 * observes. Slow: it allocates every value.
 */
public final class Reference {
    private Reference() {}

    /** Every value of a run by name, the inputs included. */
    public static Map<String, Tensor> runAll(Program p, Map<String, Tensor> inputs) {
        Map<String, Tensor> v = new HashMap<>();
        for (String in : p.inputs().keySet()) {
            Tensor t = inputs.get(in);
            if (t == null) throw new IllegalArgumentException("program input '" + in + "' not given (given " + inputs.keySet() + ")");
            v.put(in, t);
        }
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (Node n : p.nodes()) v.put(n.name(), run(n.op(), n.inputs().stream().map(v::get).toList()));
        }
        return v;
    }

    /** The one output for the one input. */
    public static Tensor run(Program p, Tensor x) { return runAll(p, Map.of(p.input(), x)).get(p.output()); }

    static Tensor run(Op op, List<Tensor> in) {
        Tensor x = in.get(0);
        Variable xv = Variable.constant(x);
        return switch (op) {
            case Op.Conv2d c -> Conv.conv2d(x, c.weight(), c.bias(), c.spec(), c.epilogue());
            case Op.Dense d -> epilogue(Ops.linear(xv, Variable.constant(d.weight()), d.bias() == null ? null : Variable.constant(d.bias())).data(), d.epilogue());
            case Op.Pool pool -> switch (pool.kind()) {
                case MAX -> Ops.maxPool2d(xv, pool.spec()).data();
                case AVERAGE, GLOBAL_AVERAGE -> Ops.avgPool2d(xv, pool.window(dev.lathe.tensor.Shape.of(x.shape())), pool.countsPadding()).data();
            };
            case Op.BatchNorm bn -> {
                int[] per = new int[x.dim()];
                java.util.Arrays.fill(per, 1);
                per[1] = bn.channels();
                Tensor inv = bn.var().add(bn.eps()).pow(-0.5).reshape(per);
                Variable xhat = Ops.mul(Ops.sub(xv, Variable.constant(bn.mean().reshape(per))), Variable.constant(inv));
                yield Ops.add(Ops.mul(xhat, Variable.constant(bn.gamma().reshape(per))), Variable.constant(bn.beta().reshape(per))).data();
            }
            case Op.Activation a -> switch (a.kind()) {
                case RELU -> Ops.relu(xv).data();
                case RELU6 -> Ops.clamp(xv, 0, 6).data();
                case LEAKY_RELU -> Ops.leakyRelu(xv, a.slope()).data();
                case SIGMOID -> Ops.sigmoid(xv).data();
                case TANH -> Ops.tanh(xv).data();
                case SOFTMAX -> Ops.softmax(xv, -1).data();
                case LOG_SOFTMAX -> Ops.logSoftmax(xv, -1).data();
            };
            case Op.Add add -> {
                Tensor y = x;
                for (int i = 1; i < in.size(); i++) y = y.add(in.get(i));
                yield y;
            }
            case Op.Concat cat -> Tensor.concat(1, in.toArray(new Tensor[0]));
            case Op.Reshape r -> x.reshape(r.outputShape(List.of(dev.lathe.tensor.Shape.of(x.shape()))).dims());
            case Op.Dropout d -> x;
            case Op.Resize r -> Conv.resize(x, r.mode(), r.scaleH(), r.scaleW());
            case Op.Pad pad -> {
                int[] s = x.shape();
                Tensor y = Tensor.zeros(x.dtype(), s[0], s[1], s[2] + pad.top() + pad.bottom(), s[3] + pad.left() + pad.right());
                y.slice(2, pad.top(), pad.top() + s[2]).slice(3, pad.left(), pad.left() + s[3]).assign(x);
                yield y;
            }
            case Op.Transpose t -> x.permute(t.perm()).contiguous();
            case Op.ConvTranspose2d t -> Conv.convTranspose2d(x, t.weight(), t.bias(), t.spec(), t.outPadH(), t.outPadW());
        };
    }

    private static Tensor epilogue(Tensor y, int e) {
        return e == Epilogue.RELU ? y.relu() : e == Epilogue.RELU6 ? y.clamp(0, 6) : y;
    }
}
