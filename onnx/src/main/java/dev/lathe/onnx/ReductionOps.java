package dev.lathe.onnx;

import static dev.lathe.onnx.Operators.make;
import static dev.lathe.onnx.Operators.one;

import java.util.Arrays;
import java.util.List;
import onnx.Onnx.TensorProto.DataType;

/**
 * ONNX reductions: the ten Reduce ops, ArgMax and ArgMin, global pooling (a mean or max over the spatial axes),
 * CumSum's running sum, and the two losses, which reduce per-element losses over the batch.
 */
final class ReductionOps {
    private ReductionOps() {}

    static void register(Operators.Table t) {
        for (String op : List.of("ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp")) {
            t.add(op, (n, in, at, opset) -> one(reduceOp(op, in, at, opset)));
        }
        for (String op : List.of("ArgMax", "ArgMin")) t.add(op, (n, in, at, opset) -> one(argExtreme(op, in[0], at)));
        t.add("GlobalAveragePool", (n, in, at, opset) -> one(reduce("ReduceMean", in[0], spatialAxes(in[0]), true)));
        t.add("GlobalMaxPool", (n, in, at, opset) -> one(reduce("ReduceMax", in[0], spatialAxes(in[0]), true)));
        t.add("CumSum", (n, in, at, opset) -> one(cumsum(in, at)));
        t.add("NegativeLogLikelihoodLoss", (n, in, at, opset) -> one(nll(in[0], in[1], in.length > 2 ? in[2] : null, at)));
        t.add("SoftmaxCrossEntropyLoss", (n, in, at, opset) -> softmaxCrossEntropy(in, at, n.getOutputCount()));
    }

    private static int[] spatialAxes(Value v) {
        int[] a = new int[v.shape().length - 2];
        for (int i = 0; i < a.length; i++) a[i] = i + 2;
        return a;
    }

    private static Value reduceOp(String op, Value[] in, Attributes at, int opset) {
        boolean fromInput = op.equals("ReduceSum") ? opset >= 13 : opset >= 18;
        long[] axes = fromInput ? (in.length > 1 && in[1] != null ? in[1].longs() : null) : at.ints("axes", null);
        boolean keep = at.integer("keepdims", 1) == 1;
        int r = in[0].shape().length;
        int[] ax;
        if (axes == null || axes.length == 0) {
            if (at.integer("noop_with_empty_axes", 0) == 1) return in[0];
            ax = java.util.stream.IntStream.range(0, r).toArray();
        } else {
            ax = new int[axes.length];
            for (int i = 0; i < ax.length; i++) ax[i] = (int) (axes[i] < 0 ? axes[i] + r : axes[i]);
        }
        return reduce(op, in[0], ax, keep);
    }

    /** Reduces over the given axes by iterating the kept positions; all ten ONNX reductions share it. */
    static Value reduce(String op, Value x, int[] axes, boolean keep) {
        int[] s = x.shape();
        int r = s.length;
        boolean[] red = new boolean[r];
        for (int a : axes) red[a] = true;
        int[] outShape = new int[r];
        for (int d = 0; d < r; d++) outShape[d] = red[d] ? 1 : s[d];
        int outN = Nd.numel(outShape);
        int[] outStrides = Nd.strides(outShape);
        double[] v = x.tensor().toDoubleArray();
        double[] acc = new double[outN];
        int[] count = new int[outN];
        boolean extreme = op.equals("ReduceMax") || op.equals("ReduceMin");
        if (op.equals("ReduceProd")) Arrays.fill(acc, 1);
        if (extreme) Arrays.fill(acc, op.equals("ReduceMax") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
        double[] maxFor = null;
        if (op.equals("ReduceLogSumExp")) {
            maxFor = reduce("ReduceMax", x, axes, true).tensor().toDoubleArray();
        }
        int[] pos = new int[r];
        for (int i = 0; i < v.length; i++) {
            int o = 0;
            for (int d = 0; d < r; d++) if (!red[d]) o += pos[d] * outStrides[d];
            double e = v[i];
            switch (op) {
                case "ReduceMax" -> acc[o] = Math.max(acc[o], e);
                case "ReduceMin" -> acc[o] = Math.min(acc[o], e);
                case "ReduceProd" -> acc[o] *= e;
                case "ReduceL1" -> acc[o] += Math.abs(e);
                case "ReduceL2", "ReduceSumSquare" -> acc[o] += e * e;
                case "ReduceLogSumExp" -> acc[o] += Math.exp(e - maxFor[o]);
                default -> acc[o] += e;
            }
            count[o]++;
            Nd.next(pos, s);
        }
        for (int o = 0; o < outN; o++) {
            switch (op) {
                case "ReduceMean" -> acc[o] /= Math.max(1, count[o]);
                case "ReduceL2" -> acc[o] = Math.sqrt(acc[o]);
                case "ReduceLogSum" -> acc[o] = Math.log(acc[o]);
                case "ReduceLogSumExp" -> acc[o] = Math.log(acc[o]) + maxFor[o];
                default -> { }
            }
        }
        int[] finalShape = keep ? outShape : java.util.stream.IntStream.range(0, r).filter(d -> !red[d]).map(d -> s[d]).toArray();
        return make(acc, finalShape, x.elemType());
    }

    private static Value argExtreme(String op, Value x, Attributes at) {
        int r = x.shape().length;
        int axis = (int) at.integer("axis", 0);
        if (axis < 0) axis += r;
        boolean keep = at.integer("keepdims", 1) == 1, last = at.integer("select_last_index", 0) == 1, max = op.equals("ArgMax");
        int[] s = x.shape();
        int outer = 1, n = s[axis], inner = 1;
        for (int d = 0; d < axis; d++) outer *= s[d];
        for (int d = axis + 1; d < r; d++) inner *= s[d];
        double[] v = x.tensor().toDoubleArray(), out = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = 0;
                double bv = v[o * n * inner + i];
                for (int k = 1; k < n; k++) {
                    double e = v[(o * n + k) * inner + i];
                    boolean better = max ? (last ? e >= bv : e > bv) : (last ? e <= bv : e < bv);
                    if (better) { bv = e; best = k; }
                }
                out[o * inner + i] = best;
            }
        }
        int[] shape = s.clone();
        shape[axis] = 1;
        final int ax = axis;
        int[] fin = keep ? shape : java.util.stream.IntStream.range(0, r).filter(d -> d != ax).map(d -> s[d]).toArray();
        return make(out, fin, DataType.INT64_VALUE);
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
        return make(y, s, in[0].elemType());
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
        if (red.equals("none")) return make(loss, target.shape(), input.elemType());
        double sum = 0;
        for (double v : loss) sum += v;
        return make(new double[] {red.equals("sum") ? sum : sum / wsum}, new int[0], input.elemType());
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
        Value lp = make(logp, s, in[0].elemType());
        Value loss = nll(lp, in[1], in.length > 2 ? in[2] : null, at);
        return outputs > 1 ? new Value[] {loss, lp} : new Value[] {loss};
    }
}
