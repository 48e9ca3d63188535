package dev.lathe.onnx;

import java.util.Arrays;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto.DataType;

/** The less common ONNX operators: normalizations, index ops, losses, 1-D convolution and pooling (lowered to 2-D). */
final class MoreOperators {
    private MoreOperators() {}

    /** Null when the op is not one of these. */
    static Value[] run(NodeProto n, Value[] in, Attributes at, int opset) {
        return switch (n.getOpType()) {
            case "LayerNormalization" -> layerNorm(in, at, n.getOutputCount());
            case "InstanceNormalization" -> one(instanceNorm(in, at));
            case "GatherElements" -> one(gatherElements(in[0], in[1], (int) at.integer("axis", 0)));
            case "CumSum" -> one(cumsum(in, at));
            case "Trilu" -> one(trilu(in, at));
            case "IsInf" -> one(Operators.make(map(in[0], v -> (v == Double.POSITIVE_INFINITY && at.integer("detect_positive", 1) == 1)
                    || (v == Double.NEGATIVE_INFINITY && at.integer("detect_negative", 1) == 1) ? 1 : 0), in[0].shape(), DataType.BOOL_VALUE));
            case "Shrink" -> {
                double l = at.real("lambd", 0.5), b = at.real("bias", 0);
                yield one(Operators.map(in[0], v -> v < -l ? v + b : v > l ? v - b : 0));
            }
            case "OneHot" -> one(oneHot(in, (int) at.integer("axis", -1)));
            case "DepthToSpace", "SpaceToDepth" -> one(depthSpace(n.getOpType(), in[0], (int) at.integer("blocksize", 1), at.string("mode", "DCR")));
            case "NegativeLogLikelihoodLoss" -> one(nll(in[0], in[1], in.length > 2 ? in[2] : null, at));
            case "SoftmaxCrossEntropyLoss" -> softmaxCrossEntropy(in, at, n.getOutputCount());
            case "RNN", "GRU", "LSTM" -> Recurrent.run(n, in, at);
            case "ConvTranspose" -> one(convTranspose(in, at));
            default -> null;
        };
    }

    private static Value[] one(Value v) { return new Value[] {v}; }

    /**
     * 2-D transposed convolution as the adjoint of a convolution: the output is what a convolution's
     * backward-data pass gives for an input of the output's shape (ONNX's weight [C_in, C_out/group, kh, kw]
     * is that convolution's weight). Output size stride (in - 1) + output_padding + dilated kernel - pads.
     */
    private static Value convTranspose(Value[] in, Attributes at) {
        dev.lathe.tensor.Tensor x = in[0].tensor(), w = in[1].tensor().to(x.dtype());
        Operators.check(x.dim() == 4, "ConvTranspose over " + (x.dim() - 2) + " spatial dims (only 2-D)");
        Operators.check(!at.has("output_shape"), "ConvTranspose with output_shape");
        String auto = at.string("auto_pad", "NOTSET");
        Operators.check(auto.equals("NOTSET") || auto.equals("VALID"), "ConvTranspose auto_pad " + auto);
        int group = (int) at.integer("group", 1);
        long[] st = at.ints("strides", new long[] {1, 1}), dl = at.ints("dilations", new long[] {1, 1}), op = at.ints("output_padding", new long[] {0, 0});
        long[] pads = at.ints("pads", new long[] {0, 0, 0, 0});
        Operators.check(pads[0] == pads[2] && pads[1] == pads[3], "ConvTranspose with asymmetric pads");
        int kh = w.size(2), kw = w.size(3), cOut = w.size(1) * group;
        int oh = (int) (st[0] * (x.size(2) - 1) + op[0] + (kh - 1) * dl[0] + 1 - 2 * pads[0]);
        int ow = (int) (st[1] * (x.size(3) - 1) + op[1] + (kw - 1) * dl[1] + 1 - 2 * pads[1]);
        dev.lathe.tensor.ConvSpec spec = new dev.lathe.tensor.ConvSpec((int) st[0], (int) st[1], (int) pads[0], (int) pads[1], (int) dl[0], (int) dl[1], group);
        dev.lathe.tensor.Tensor y = dev.lathe.tensor.Conv.conv2dBackwardData(x.contiguous(), w.contiguous(), new int[] {x.size(0), cOut, oh, ow}, spec);
        if (in.length > 2 && in[2] != null) y = y.add(in[2].tensor().to(y.dtype()).reshape(1, cOut, 1, 1));
        return new Value(y, in[0].elemType());
    }

    private static double[] map(Value v, java.util.function.DoubleUnaryOperator f) {
        double[] d = v.tensor().toDoubleArray();
        for (int i = 0; i < d.length; i++) d[i] = f.applyAsDouble(d[i]);
        return d;
    }

    private static Value[] layerNorm(Value[] in, Attributes at, int outputs) {
        int[] s = in[0].shape();
        int axis = (int) at.integer("axis", -1);
        if (axis < 0) axis += s.length;
        double eps = at.real("epsilon", 1e-5);
        int outer = 1, inner = 1;
        for (int d = 0; d < s.length; d++) if (d < axis) outer *= s[d]; else inner *= s[d];
        double[] x = in[0].tensor().toDoubleArray(), y = new double[x.length], mean = new double[outer], inv = new double[outer];
        Nd.Array scale = Nd.expand(Operators.nd(in[1]), Arrays.copyOfRange(s, axis, s.length));
        Nd.Array bias = in.length > 2 && in[2] != null ? Nd.expand(Operators.nd(in[2]), Arrays.copyOfRange(s, axis, s.length)) : null;
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
        out[0] = Operators.make(y, s, in[0].elemType());
        if (outputs > 1) out[1] = Operators.make(mean, statShape, in[0].elemType());
        if (outputs > 2) out[2] = Operators.make(inv, statShape, in[0].elemType());
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
        return Operators.make(y, s, in[0].elemType());
    }

    private static Value gatherElements(Value x, Value idx, int axis) {
        int[] s = x.shape(), is = idx.shape();
        if (axis < 0) axis += s.length;
        int[] st = Nd.strides(s), ist = Nd.strides(is);
        double[] v = x.tensor().toDoubleArray(), out = new double[Nd.numel(is)];
        long[] ix = idx.longs();
        for (int i = 0; i < out.length; i++) {
            int src = 0, rem = i;
            for (int d = 0; d < is.length; d++) {
                int p = rem / ist[d];
                rem %= ist[d];
                if (d == axis) {
                    long k = ix[i] < 0 ? ix[i] + s[axis] : ix[i];
                    if (k < 0 || k >= s[axis]) throw new IllegalArgumentException("GatherElements: index " + ix[i] + " outside axis of size " + s[axis]);
                    p = (int) k;
                }
                src += p * st[d];
            }
            out[i] = v[src];
        }
        return Operators.make(out, is, x.elemType());
    }

    private static Value cumsum(Value[] in, Attributes at) {
        int[] s = in[0].shape();
        int axis = (int) in[1].tensor().toDoubleArray()[0];
        if (axis < 0) axis += s.length;
        boolean exclusive = at.integer("exclusive", 0) == 1, reverse = at.integer("reverse", 0) == 1;
        int outer = 1, len = s[axis], inner = 1;
        for (int d = 0; d < axis; d++) outer *= s[d];
        for (int d = axis + 1; d < s.length; d++) inner *= s[d];
        double[] x = in[0].tensor().toDoubleArray(), y = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                double acc = 0;
                for (int k = 0; k < len; k++) {
                    int kk = reverse ? len - 1 - k : k, at0 = (o * len + kk) * inner + i;
                    if (exclusive) {
                        y[at0] = acc;
                        acc += x[at0];
                    } else {
                        acc += x[at0];
                        y[at0] = acc;
                    }
                }
            }
        }
        return Operators.make(y, s, in[0].elemType());
    }

    private static Value trilu(Value[] in, Attributes at) {
        int[] s = in[0].shape();
        int rows = s[s.length - 2], cols = s[s.length - 1];
        long k = in.length > 1 && in[1] != null ? (long) in[1].tensor().item() : 0;
        boolean upper = at.integer("upper", 1) == 1;
        double[] x = in[0].tensor().toDoubleArray();
        for (int i = 0; i < x.length; i++) {
            int c = i % cols, r = (i / cols) % rows;
            boolean keep = upper ? c - r >= k : c - r <= k;
            if (!keep) x[i] = 0;
        }
        return Operators.make(x, s, in[0].elemType());
    }

    private static Value oneHot(Value[] in, int axis) {
        long[] idx = in[0].longs();
        int depth = (int) in[1].tensor().toDoubleArray()[0];
        double[] vals = in[2].tensor().toDoubleArray();
        int[] is = in[0].shape();
        int r = is.length + 1;
        if (axis < 0) axis += r;
        int[] shape = new int[r];
        for (int d = 0, k = 0; d < r; d++) shape[d] = d == axis ? depth : is[k++];
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= shape[d];
        for (int d = axis + 1; d < r; d++) inner *= shape[d];
        double[] out = new double[outer * depth * inner];
        Arrays.fill(out, vals[0]);
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                long k = idx[o * inner + i];
                if (k < 0) k += depth;
                if (k >= 0 && k < depth) out[(int) ((o * depth + k) * inner + i)] = vals[1];
            }
        }
        return Operators.make(out, shape, in[2].elemType());
    }

    private static Value depthSpace(String op, Value x, int b, String mode) {
        int[] s = x.shape();
        int n = s[0], c = s[1], h = s[2], w = s[3];
        Nd.Array a = Operators.nd(x);
        if (op.equals("DepthToSpace")) {
            Nd.Array t = mode.equals("CRD")
                    ? Nd.transpose(new Nd.Array(a.data(), new int[] {n, c / (b * b), b, b, h, w}), new int[] {0, 1, 4, 2, 5, 3})
                    : Nd.transpose(new Nd.Array(a.data(), new int[] {n, b, b, c / (b * b), h, w}), new int[] {0, 3, 4, 1, 5, 2});
            return Operators.make(t.data(), new int[] {n, c / (b * b), h * b, w * b}, x.elemType());
        }
        Nd.Array t = Nd.transpose(new Nd.Array(a.data(), new int[] {n, c, h / b, b, w / b, b}), new int[] {0, 3, 5, 1, 2, 4});
        return Operators.make(t.data(), new int[] {n, c * b * b, h / b, w / b}, x.elemType());
    }

    /** NLL over input [N, C, d...] and target [N, d...], with class weights, ignore_index and mean/sum/none reduction. */
    private static Value nll(Value input, Value target, Value weight, Attributes at) {
        int[] s = input.shape();
        int n = s[0], c = s[1], inner = 1;
        for (int d = 2; d < s.length; d++) inner *= s[d];
        double[] x = input.tensor().toDoubleArray(), w = weight == null ? null : weight.tensor().toDoubleArray();
        long[] t = target.longs();
        boolean hasIgnore = at.has("ignore_index");
        long ignore = at.integer("ignore_index", Long.MIN_VALUE);
        double[] loss = new double[n * inner];
        double wsum = 0;
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < inner; i++) {
                long k = t[b * inner + i];
                if (hasIgnore && k == ignore) continue;
                if (k < 0 || k >= c) throw new IllegalArgumentException("NegativeLogLikelihoodLoss: target " + k + " outside [0, " + c + ")");
                double wk = w == null ? 1 : w[(int) k];
                loss[b * inner + i] = -x[(b * c + (int) k) * inner + i] * wk;
                wsum += wk;
            }
        }
        String red = at.string("reduction", "mean");
        if (red.equals("none")) return Operators.make(loss, target.shape(), input.elemType());
        double sum = 0;
        for (double v : loss) sum += v;
        return Operators.make(new double[] {red.equals("sum") ? sum : sum / wsum}, new int[0], input.elemType());
    }

    private static Value[] softmaxCrossEntropy(Value[] in, Attributes at, int outputs) {
        int[] s = in[0].shape();
        int n = s[0], c = s[1], inner = 1;
        for (int d = 2; d < s.length; d++) inner *= s[d];
        double[] x = in[0].tensor().toDoubleArray(), logp = new double[x.length];
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < inner; i++) {
                double m = Double.NEGATIVE_INFINITY, sum = 0;
                for (int k = 0; k < c; k++) m = Math.max(m, x[(b * c + k) * inner + i]);
                for (int k = 0; k < c; k++) sum += Math.exp(x[(b * c + k) * inner + i] - m);
                for (int k = 0; k < c; k++) logp[(b * c + k) * inner + i] = x[(b * c + k) * inner + i] - m - Math.log(sum);
            }
        }
        Value lp = Operators.make(logp, s, in[0].elemType());
        Value loss = nll(lp, in[1], in.length > 2 ? in[2] : null, at);
        return outputs > 1 ? new Value[] {loss, lp} : new Value[] {loss};
    }
}
