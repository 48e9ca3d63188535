package dev.lathe.onnx;

import static dev.lathe.onnx.Operators.check;
import static dev.lathe.onnx.Operators.make;
import static dev.lathe.onnx.Operators.nd;
import static dev.lathe.onnx.Operators.one;

import dev.lathe.tensor.Tensor;
import java.util.Arrays;
import java.util.List;

/**
 * ONNX normalizations: batch norm in inference mode (on Lathe's broadcasting kernels), layer and instance norm,
 * and Softmax, LogSoftmax and Hardmax along an axis.
 */
final class NormalizationOps {
    private NormalizationOps() {}

    static void register(Operators.Table t) {
        t.add("BatchNormalization", (n, in, at, opset) -> {
            check(n.getOutputCount() == 1 && at.integer("training_mode", 0) == 0, "BatchNormalization in training mode");
            return one(batchNorm(in, at));
        });
        t.add("LayerNormalization", (n, in, at, opset) -> layerNorm(in, at, n.getOutputCount()));
        t.add("InstanceNormalization", (n, in, at, opset) -> one(instanceNorm(in, at)));
        for (String op : List.of("Softmax", "LogSoftmax", "Hardmax")) t.add(op, (n, in, at, opset) -> one(softmax(op, in[0], at, opset)));
    }

    private static Value batchNorm(Value[] in, Attributes at) {
        Tensor x = in[0].tensor();
        int c = x.size(1);
        int[] bshape = new int[x.dim()];
        Arrays.fill(bshape, 1);
        bshape[1] = c;
        double eps = at.real("epsilon", 1e-5);
        Tensor scale = in[1].tensor().to(x.dtype()).reshape(bshape), bias = in[2].tensor().to(x.dtype()).reshape(bshape);
        Tensor mean = in[3].tensor().to(x.dtype()).reshape(bshape), var = in[4].tensor().to(x.dtype()).reshape(bshape);
        return new Value(x.sub(mean).div(var.add(eps).sqrt()).mul(scale).add(bias), in[0].elemType());
    }

    private static Value[] layerNorm(Value[] in, Attributes at, int outputs) {
        int[] s = in[0].shape();
        int axis = (int) at.integer("axis", -1);
        if (axis < 0) axis += s.length;
        double eps = at.real("epsilon", 1e-5);
        int outer = 1, inner = 1;
        for (int d = 0; d < s.length; d++) if (d < axis) outer *= s[d]; else inner *= s[d];
        double[] x = in[0].tensor().toDoubleArray(), y = new double[x.length], mean = new double[outer], inv = new double[outer];
        Nd.Array scale = Nd.expand(nd(in[1]), Arrays.copyOfRange(s, axis, s.length));
        Nd.Array bias = in.length > 2 && in[2] != null ? Nd.expand(nd(in[2]), Arrays.copyOfRange(s, axis, s.length)) : null;
        for (int o = 0; o < outer; o++) {
            double m = 0, v = 0;
            for (int i = 0; i < inner; i++) m += x[o * inner + i];
            m /= inner;
            for (int i = 0; i < inner; i++) v += (x[o * inner + i] - m) * (x[o * inner + i] - m);
            double r = 1 / Math.sqrt(v / inner + eps);
            mean[o] = m;
            inv[o] = r;
            for (int i = 0; i < inner; i++) y[o * inner + i] = (x[o * inner + i] - m) * r * scale.data()[i] + (bias == null ? 0 : bias.data()[i]);
        }
        int[] statShape = s.clone();
        for (int d = axis; d < s.length; d++) statShape[d] = 1;
        Value[] out = new Value[Math.max(1, outputs)];
        out[0] = make(y, s, in[0].elemType());
        if (outputs > 1) out[1] = make(mean, statShape, in[0].elemType());
        if (outputs > 2) out[2] = make(inv, statShape, in[0].elemType());
        return out;
    }

    private static Value instanceNorm(Value[] in, Attributes at) {
        int[] s = in[0].shape();
        int c = s[1], n = s[0], inner = 1;
        for (int d = 2; d < s.length; d++) inner *= s[d];
        double eps = at.real("epsilon", 1e-5);
        double[] x = in[0].tensor().toDoubleArray(), g = in[1].tensor().toDoubleArray(), b = in[2].tensor().toDoubleArray(), y = new double[x.length];
        for (int p = 0; p < n * c; p++) {
            double m = 0, v = 0;
            for (int i = 0; i < inner; i++) m += x[p * inner + i];
            m /= inner;
            for (int i = 0; i < inner; i++) v += (x[p * inner + i] - m) * (x[p * inner + i] - m);
            double r = 1 / Math.sqrt(v / inner + eps);
            for (int i = 0; i < inner; i++) y[p * inner + i] = (x[p * inner + i] - m) * r * g[p % c] + b[p % c];
        }
        return make(y, s, in[0].elemType());
    }

    private static Value softmax(String op, Value x, Attributes at, int opset) {
        int r = x.shape().length;
        int axis = (int) at.integer("axis", opset < 13 ? 1 : -1);
        if (axis < 0) axis += r;
        int[] s = x.shape();
        // before opset 13 the input is coerced to 2-D at axis; from 13 the op runs along one axis
        int outer = 1, n = 1, inner = 1;
        for (int d = 0; d < r; d++) {
            if (d < axis) outer *= s[d];
            else if (d == axis || opset < 13) n *= s[d];
            else inner *= s[d];
        }
        double[] v = x.tensor().toDoubleArray(), out = new double[v.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int base = o * n * inner + i;
                double max = Double.NEGATIVE_INFINITY;
                int arg = 0;
                for (int k = 0; k < n; k++) if (v[base + k * inner] > max) { max = v[base + k * inner]; arg = k; }
                if (op.equals("Hardmax")) {
                    out[base + arg * inner] = 1;
                    continue;
                }
                double sum = 0;
                for (int k = 0; k < n; k++) sum += Math.exp(v[base + k * inner] - max);
                for (int k = 0; k < n; k++) {
                    double z = v[base + k * inner] - max;
                    out[base + k * inner] = op.equals("Softmax") ? Math.exp(z) / sum : z - Math.log(sum);
                }
            }
        }
        return make(out, s, x.elemType());
    }
}
