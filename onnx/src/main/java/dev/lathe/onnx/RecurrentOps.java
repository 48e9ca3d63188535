package dev.lathe.onnx;

import java.util.List;
import java.util.function.DoubleUnaryOperator;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.NodeProto;

/**
 * ONNX RNN, GRU and LSTM (the spec's equations and gate orders: LSTM i, o, f, c; GRU z, r, h),
 * forward, reverse or bidirectional, layout 0 ([seq, batch, feature]) or 1 (batch first), with
 * optional biases, initial states, sequence lengths, peepholes, clipping and GRU's
 * linear_before_reset. Computed in double per step; outputs in the input's precision.
 */
final class RecurrentOps {
    private RecurrentOps() {}

    static void register(Operators.Table t) {
        for (String op : List.of("RNN", "GRU", "LSTM")) t.add(op, (n, in, at, opset) -> run(n, in, at));
    }

    static Value[] run(NodeProto n, Value[] in, Attributes at) {
        String op = n.getOpType();
        int gates = switch (op) { case "LSTM" -> 4; case "GRU" -> 3; default -> 1; };
        boolean batchFirst = at.integer("layout", 0) == 1;
        String direction = at.string("direction", "forward");
        int dirs = direction.equals("bidirectional") ? 2 : 1;
        int hidden = (int) at.integer("hidden_size", 0);
        double clip = at.real("clip", Double.POSITIVE_INFINITY);
        Operators.check(at.integer("input_forget", 0) == 0, "LSTM input_forget");
        DoubleUnaryOperator[] acts = activations(at, op, dirs);
        int[] xs = in[0].shape();
        int seq = batchFirst ? xs[1] : xs[0], batch = batchFirst ? xs[0] : xs[1], inSize = xs[2];
        double[] x = in[0].tensor().toDoubleArray(), w = in[1].tensor().toDoubleArray(), r = in[2].tensor().toDoubleArray();
        double[] b = opt(in, 3) ? in[3].tensor().toDoubleArray() : new double[dirs * 2 * gates * hidden];
        long[] lens = opt(in, 4) ? in[4].longs() : null;
        double[] h0 = opt(in, 5) ? in[5].tensor().toDoubleArray() : new double[dirs * batch * hidden];
        double[] c0 = gates == 4 && opt(in, 6) ? in[6].tensor().toDoubleArray() : new double[dirs * batch * hidden];
        double[] p = gates == 4 && opt(in, 7) ? in[7].tensor().toDoubleArray() : new double[dirs * 3 * hidden];
        boolean lbr = at.integer("linear_before_reset", 0) != 0;
        double[] y = new double[seq * dirs * batch * hidden], yh = new double[dirs * batch * hidden], yc = new double[dirs * batch * hidden];
        for (int d = 0; d < dirs; d++) {
            boolean reverse = direction.equals("reverse") || d == 1;
            DoubleUnaryOperator f = acts[d * 3], g = acts[d * 3 + 1], hAct = acts[d * 3 + 2];
            int wo = d * gates * hidden * inSize, ro = d * gates * hidden * hidden, bo = d * 2 * gates * hidden, po = d * 3 * hidden;
            for (int bi = 0; bi < batch; bi++) {
                int len = lens == null ? seq : (int) lens[bi];
                double[] h = new double[hidden], c = new double[hidden];
                System.arraycopy(h0, (d * batch + bi) * hidden, h, 0, hidden);
                System.arraycopy(c0, (d * batch + bi) * hidden, c, 0, hidden);
                double[] gx = new double[gates * hidden], gh = new double[gates * hidden];
                for (int step = 0; step < len; step++) {
                    int t = reverse ? len - 1 - step : step;
                    int xo = (batchFirst ? bi * seq + t : t * batch + bi) * inSize;
                    for (int k = 0; k < gates * hidden; k++) {
                        double sx = b[bo + k], sh = b[bo + gates * hidden + k];
                        for (int i = 0; i < inSize; i++) sx += x[xo + i] * w[wo + k * inSize + i];
                        for (int i = 0; i < hidden; i++) sh += h[i] * r[ro + k * hidden + i];
                        gx[k] = sx;
                        gh[k] = sh;
                    }
                    double[] hn = new double[hidden];
                    for (int j = 0; j < hidden; j++) {
                        switch (gates) {
                            case 4 -> {
                                double ig = f.applyAsDouble(clip(gx[j] + gh[j] + p[po + j] * c[j], clip));
                                double fg = f.applyAsDouble(clip(gx[2 * hidden + j] + gh[2 * hidden + j] + p[po + 2 * hidden + j] * c[j], clip));
                                double cg = g.applyAsDouble(clip(gx[3 * hidden + j] + gh[3 * hidden + j], clip));
                                c[j] = fg * c[j] + ig * cg;
                                double og = f.applyAsDouble(clip(gx[hidden + j] + gh[hidden + j] + p[po + hidden + j] * c[j], clip));
                                hn[j] = og * hAct.applyAsDouble(c[j]);
                            }
                            case 3 -> {
                                double z = f.applyAsDouble(clip(gx[j] + gh[j], clip));
                                double rg = f.applyAsDouble(clip(gx[hidden + j] + gh[hidden + j], clip));
                                double cand;
                                if (lbr) {
                                    cand = g.applyAsDouble(clip(gx[2 * hidden + j] + rg * gh[2 * hidden + j], clip));
                                } else {
                                    double s = b[bo + gates * hidden + 2 * hidden + j];
                                    for (int i = 0; i < hidden; i++) s += rg(gx, gh, f, clip, hidden, i) * h[i] * r[ro + (2 * hidden + j) * hidden + i];
                                    cand = g.applyAsDouble(clip(gx[2 * hidden + j] + s, clip));
                                }
                                hn[j] = (1 - z) * cand + z * h[j];
                            }
                            default -> hn[j] = f.applyAsDouble(clip(gx[j] + gh[j], clip));
                        }
                    }
                    h = hn;
                    System.arraycopy(h, 0, y, ((t * dirs + d) * batch + bi) * hidden, hidden);
                }
                System.arraycopy(h, 0, yh, (d * batch + bi) * hidden, hidden);
                System.arraycopy(c, 0, yc, (d * batch + bi) * hidden, hidden);
            }
        }
        int type = in[0].elemType();
        Value yv = batchFirst
                ? Operators.wrap(Nd.transpose(new Nd.Array(y, new int[] {seq, dirs, batch, hidden}), new int[] {2, 0, 1, 3}), in[0])
                : Operators.make(y, new int[] {seq, dirs, batch, hidden}, type);
        Value hv = batchFirst ? Operators.wrap(Nd.transpose(new Nd.Array(yh, new int[] {dirs, batch, hidden}), new int[] {1, 0, 2}), in[0])
                : Operators.make(yh, new int[] {dirs, batch, hidden}, type);
        Value cv = batchFirst ? Operators.wrap(Nd.transpose(new Nd.Array(yc, new int[] {dirs, batch, hidden}), new int[] {1, 0, 2}), in[0])
                : Operators.make(yc, new int[] {dirs, batch, hidden}, type);
        return gates == 4 ? new Value[] {yv, hv, cv} : new Value[] {yv, hv};
    }

    /** GRU's reset gate for hidden unit i (recomputed where the candidate needs r (.) h with linear_before_reset = 0). */
    private static double rg(double[] gx, double[] gh, DoubleUnaryOperator f, double clip, int hidden, int i) {
        return f.applyAsDouble(clip(gx[hidden + i] + gh[hidden + i], clip));
    }

    private static boolean opt(Value[] in, int k) { return in.length > k && in[k] != null; }

    private static double clip(double v, double c) { return Math.max(-c, Math.min(c, v)); }

    private static DoubleUnaryOperator[] activations(Attributes at, String op, int dirs) {
        String[] defaults = switch (op) { case "LSTM" -> new String[] {"Sigmoid", "Tanh", "Tanh"}; case "GRU" -> new String[] {"Sigmoid", "Tanh"}; default -> new String[] {"Tanh"}; };
        AttributeProto a = at.raw("activations");
        DoubleUnaryOperator[] out = new DoubleUnaryOperator[dirs * 3];
        for (int d = 0; d < dirs; d++) {
            for (int k = 0; k < 3; k++) {
                int idx = d * defaults.length + k;
                String name = k >= defaults.length ? "Tanh" : a != null && idx < a.getStringsCount() ? a.getStrings(idx).toStringUtf8() : defaults[k];
                out[d * 3 + k] = switch (name) {
                    case "Sigmoid" -> v -> 1 / (1 + Math.exp(-v));
                    case "Tanh" -> Math::tanh;
                    case "Relu" -> v -> Math.max(0, v);
                    default -> throw new UnsupportedOperatorException(op + " activation " + name);
                };
            }
        }
        return out;
    }
}
