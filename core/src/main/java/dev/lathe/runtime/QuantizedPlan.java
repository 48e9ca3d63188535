package dev.lathe.runtime;

import dev.lathe.kernels.ConvGeometry;
import dev.lathe.kernels.Epilogue;
import dev.lathe.kernels.Int8;
import dev.lathe.ir.Node;
import dev.lathe.ir.Op;
import dev.lathe.nn.Graph;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A frozen plan quantized to int8 after training (post-training quantization): weights symmetric
 * int8 per output channel (scale = max|w| / 127, zero point 0), activations asymmetric int8 per
 * tensor from ranges observed on a calibration sample (min/max, or the 0.01% / 99.99% percentiles),
 * biases int32 at scale s_in * s_w, int32 accumulation, and requantization by a 31-bit fixed-point
 * multiplier and shift ({@link Int8#requantize}); a fused ReLU/ReLU6 is the clamp. Steps: dense
 * and depthwise convolutions, dense layers, max and global average pooling, two-input adds,
 * ReLU/ReLU6, flatten; anything else is an error naming it.
 * The input is quantized with its calibrated parameters (round half to even, as ONNX QuantizeLinear)
 * and the output dequantized to floats.
 */
public final class QuantizedPlan {
    public enum Calibration { MINMAX, PERCENTILE }

    /** real = (q - zeroPoint) * scale. */
    public record QParams(float scale, int zeroPoint) {
        /** Asymmetric int8 parameters covering [lo, hi] (widened to include 0, so 0 is exact). */
        public static QParams of(double lo, double hi) {
            lo = Math.min(lo, 0);
            hi = Math.max(hi, 0);
            double scale = hi > lo ? (hi - lo) / 255 : 1e-8;
            int zp = (int) Math.max(-128, Math.min(127, Math.round(-128 - lo / scale)));
            return new QParams((float) scale, zp);
        }

        public byte quantize(float x) { return (byte) Math.max(-128, Math.min(127, Math.rint(x / scale) + zeroPoint)); }

        public float dequantize(int q) { return (q - zeroPoint) * scale; }
    }

    /** The fixed shift of an int8 add: each input's scale ratio s_i / s_out is an integer multiplier over 2^24. */
    public static final int ADD_SHIFT = 24;

    private final InferencePlan plan;
    private final List<QStep> steps;
    private final QParams input;
    private final Map<String, QParams> params;
    /** Its own arena plan: a fused conv + pool reads its input while it writes the pooled output, so the two must not share bytes. */
    private final MemoryPlan memory;
    private final Map<String, Integer> offsets;
    private final Map<String, Long> sizes = new HashMap<>();

    private QuantizedPlan(InferencePlan plan, List<QStep> steps, QParams input, Map<String, QParams> params) {
        this.plan = plan;
        this.steps = List.copyOf(steps);
        this.input = input;
        this.params = Map.copyOf(params);
        for (Node s : plan.steps()) sizes.put(s.name(), s.output().sampleSize());
        List<MemoryPlan.Use> uses = steps.stream().map(s -> new MemoryPlan.Use(s.name(), sizes.get(s.name()), s.inputs(), s instanceof QStep.View)).toList();
        this.memory = MemoryPlan.forSteps(Graph.INPUT, plan.input().sampleSize(), uses, List.of(steps.get(steps.size() - 1).name()));
        this.offsets = Map.copyOf(memory.offsets(uses));
    }

    /** The int8 arena's plan (one byte per value). */
    public MemoryPlan memoryPlan() { return memory; }

    /** Arena offset of each value (the input under {@link Graph#INPUT}). */
    public int offset(String value) { return offsets.get(value); }

    /** Values (bytes) a step writes. */
    public int size(String step) { return Math.toIntExact(sizes.get(step)); }

    public InferencePlan floatPlan() { return plan; }

    public List<QStep> steps() { return steps; }

    public QParams inputParams() { return input; }

    public QParams params(String value) { return params.get(value); }

    /** Quantizes a frozen plan, observing activations on {@code calibration} ([N, ...] samples). */
    public static QuantizedPlan quantize(InferencePlan plan, Tensor calibration, Calibration method) {
        if (plan.outputNames().size() != 1) throw new IllegalArgumentException("int8: the plan has outputs " + plan.outputNames() + "; the int8 runtime takes one output");
        if (calibration.dim() < 2 || calibration.shape()[0] < 1) throw new IllegalArgumentException("int8 calibration: need [N, ...] samples, got " + Arrays.toString(calibration.shape()));
        Map<String, double[]> range = new HashMap<>();
        int n = calibration.shape()[0], per = (int) plan.input().sampleSize(), batch = 100;
        float[] all = calibration.toFloatArray();
        if (all.length != (long) n * per) throw new IllegalArgumentException("int8 calibration: samples of " + all.length / n + " values, the model takes " + per);
        int batches = 0;
        for (int b0 = 0; b0 < n; b0 += batch) {
            int cnt = Math.min(batch, n - b0);
            Tensor x = Tensor.of(Arrays.copyOfRange(all, b0 * per, (b0 + cnt) * per), plan.input().with(0, cnt).dims());
            for (Map.Entry<String, Tensor> e : plan.runAll(x).entrySet()) {
                double[] lh = bounds(e.getValue().toFloatArray(), method);
                double[] acc = range.computeIfAbsent(e.getKey(), k -> new double[] {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0, 0});
                acc[0] = Math.min(acc[0], lh[0]);
                acc[1] = Math.max(acc[1], lh[1]);
                acc[2] += lh[0];
                acc[3] += lh[1];
            }
            batches++;
        }
        Map<String, QParams> params = new HashMap<>();
        for (Map.Entry<String, double[]> e : range.entrySet()) {
            double[] a = e.getValue();
            // min/max: the extremes over all batches; percentile: the mean of the per-batch percentiles
            params.put(e.getKey(), method == Calibration.MINMAX ? QParams.of(a[0], a[1]) : QParams.of(a[2] / batches, a[3] / batches));
        }
        Map<String, String> viewOf = new HashMap<>();
        List<QStep> out = new ArrayList<>();
        Map<String, Shape> shapes = new HashMap<>(Map.of(Graph.INPUT, plan.input()));
        for (Node s : plan.steps()) {
            shapes.put(s.name(), s.output());
            String in = s.input();
            String src = viewOf.getOrDefault(in, in);
            QParams qi = params.get(src);
            QParams qo = params.get(s.name());
            Shape is = shapes.get(in);
            QStep q = switch (s.op()) {
                case Op.Reshape r -> {
                    viewOf.put(s.name(), src);
                    params.put(s.name(), qi);
                    yield new QStep.View(s.name(), in, qi);
                }
                case Op.Add add -> {
                    if (s.inputs().size() != 2) throw unsupported(s, "is not a two-input Add (the int8 runtime has no n-ary Add)");
                    String in2 = s.inputs().get(1), src2 = viewOf.getOrDefault(in2, in2);
                    QParams qi2 = params.get(src2);
                    yield new QStep.Add(s.name(), in, qi, in2, qi2, qo, addMultiplier(s, qi.scale() / qo.scale()), addMultiplier(s, qi2.scale() / qo.scale()), ADD_SHIFT);
                }
                case Op.Conv2d c -> {
                    if (c.spec().groups() != 1 && c.spec().groups() != c.inChannels()) throw unsupported(s, "is a grouped convolution (the int8 runtime has dense and depthwise ones)");
                    yield new QStep.Conv(s.name(), in, qi, qo, weighted(qi, qo, c.weight().toFloatArray(), c.bias() == null ? null : c.bias().toFloatArray(), c.outChannels(), c.epilogue()),
                            c.geometry(is), null);
                }
                case Op.Dense d -> {
                    if (s.output().rank() != 2) throw unsupported(s, "is a dense layer on a " + s.output().rank() + "-D value");
                    yield new QStep.Linear(s.name(), in, qi, qo, weighted(qi, qo, d.weight().toFloatArray(), d.bias() == null ? null : d.bias().toFloatArray(), d.outFeatures(), d.epilogue()),
                            d.inFeatures());
                }
                case Op.Pool p when p.kind() == Op.Pool.Kind.MAX -> {
                    params.put(s.name(), qi);  // max pooling keeps the input's scale
                    yield new QStep.MaxPool(s.name(), in, qi, p.geometry(is));
                }
                case Op.Pool p when p.kind() == Op.Pool.Kind.GLOBAL_AVERAGE -> {
                    int hw = is.dim(2) * is.dim(3);
                    int[] mr = Int8.multiplier((double) qi.scale() / (qo.scale() * hw));
                    yield new QStep.GlobalAverage(s.name(), in, qi, qo, p.geometry(is), mr[0], mr[1]);
                }
                case Op.Activation a when a.epilogue() >= 0 -> {
                    params.put(s.name(), qi);  // a clamp on the input's scale
                    int hi = a.kind() == Op.Activation.Kind.RELU6 ? (int) Math.min(127, qi.zeroPoint() + Math.round(6 / qi.scale())) : 127;
                    yield new QStep.Clamp(s.name(), in, qi, qi.zeroPoint(), hi);
                }
                case Op.Pool p -> throw unsupported(s, "has no int8 kernel (the int8 runtime has max and global average pooling)");
                case Op.Activation a -> throw unsupported(s, "has no int8 kernel (the int8 runtime has ReLU and ReLU6)");
                case Op.BatchNorm bn -> throw unsupported(s, "has no int8 kernel (a batch norm is folded into the convolution before it, when that convolution has no other reader)");
                case Op.Concat cat -> throw unsupported(s, "has no int8 kernel (the int8 runtime has no Concat)");
                case Op.Dropout d -> throw unsupported(s, "is a dropout the plan did not remove");
                case Op.Resize r -> throw unsupported(s, "has no int8 kernel (no int8 Resize yet)");
                case Op.ConvTranspose2d t -> throw unsupported(s, "has no int8 kernel (no int8 transposed convolution yet)");
                case Op.Pad pad -> throw unsupported(s, "has no int8 kernel (no int8 Pad yet: asymmetric padding)");
                case Op.Transpose t -> throw unsupported(s, "has no int8 kernel (no int8 Transpose yet)");
            };
            out.add(q);
        }
        return new QuantizedPlan(plan, fusePools(out), params.get(Graph.INPUT), params);
    }

    /**
     * A max pool whose input is a convolution read by nothing else runs inside that convolution, on
     * its int32 accumulators before requantization: bias, requantization and clamp are monotone per
     * channel, so max-then-requantize equals requantize-then-max bit for bit, and a 2x2 pool leaves a
     * quarter of the values to requantize (the Fashion CNN's int8 time was mostly requantization).
     */
    private static List<QStep> fusePools(List<QStep> steps) {
        Map<String, Integer> readers = new HashMap<>();
        for (QStep s : steps) for (String i : s.inputs()) readers.merge(i, 1, Integer::sum);
        List<QStep> out = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            QStep s = steps.get(i);
            if (s instanceof QStep.Conv c && c.geometry().groups() == 1 && i + 1 < steps.size() && steps.get(i + 1) instanceof QStep.MaxPool p && p.input().equals(c.name())
                    && readers.getOrDefault(c.name(), 0) == 1) {
                out.add(c.pooled(p.name(), p.geometry()));
                i++;
                continue;
            }
            out.add(s);
        }
        return out;
    }

    private static int addMultiplier(Node s, double ratio) {
        long m = Math.round(ratio * (1L << ADD_SHIFT));
        if (m < 1 || m > Integer.MAX_VALUE) throw unsupported(s, "adds values whose scale ratio " + ratio + " is outside what the int8 add represents (2^-24 .. 128)");
        return (int) m;
    }

    private static IllegalArgumentException unsupported(Node s, String why) {
        return new IllegalArgumentException("int8: step '" + s.name() + "' (" + s.op() + ") " + why);
    }

    /** Per-channel symmetric weights, int32 bias, per-channel multipliers; a fused ReLU/ReLU6 becomes the clamp. */
    private static QStep.Weights weighted(QParams qi, QParams qo, float[] w, float[] b, int outs, int activation) {
        int per = w.length / outs;
        byte[] q = new byte[w.length];
        float[] ws = new float[outs];
        int[] bias = new int[outs], m0 = new int[outs], shift = new int[outs];
        for (int o = 0; o < outs; o++) {
            float max = 0;
            for (int k = 0; k < per; k++) max = Math.max(max, Math.abs(w[o * per + k]));
            ws[o] = max > 0 ? max / 127 : 1e-8f;
            for (int k = 0; k < per; k++) q[o * per + k] = (byte) Math.max(-127, Math.min(127, Math.rint(w[o * per + k] / ws[o])));
            double accScale = (double) qi.scale() * ws[o];
            bias[o] = b == null ? 0 : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.rint(b[o] / accScale)));
            int[] mr = Int8.multiplier(accScale / qo.scale());
            m0[o] = mr[0];
            shift[o] = mr[1];
        }
        int lo = activation == Epilogue.NONE ? -128 : qo.zeroPoint();
        int hi = activation == Epilogue.RELU6 ? (int) Math.min(127, qo.zeroPoint() + Math.round(6 / qo.scale())) : 127;
        return new QStep.Weights(q, ws, bias, m0, shift, lo, hi, activation);
    }

    private static double[] bounds(float[] v, Calibration method) {
        if (method == Calibration.MINMAX) {
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (float x : v) {
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
            }
            return new double[] {lo, hi};
        }
        float[] s = v.clone();
        Arrays.sort(s);
        int k = (int) Math.floor(1e-4 * (s.length - 1));
        return new double[] {s[k], s[s.length - 1 - k]};
    }

    public QuantizedSession session() { return new QuantizedSession(this, 0); }

    /** A batch-1 int8 executor whose calls use the given kernel thread count (0 = the global setting). */
    public QuantizedSession session(int threads) { return new QuantizedSession(this, threads); }

    /** Weight storage: int8 weights, int32 biases, per-channel int32 multiplier + int8 shift + float scale; against float32. */
    public long int8WeightBytes() {
        long b = 0;
        for (QStep s : steps) if (weights(s) != null) b += weights(s).int8Bytes();
        return b;
    }

    public long floatWeightBytes() {
        long b = 0;
        for (QStep s : steps) if (weights(s) != null) b += weights(s).floatBytes();
        return b;
    }

    /** A conv or dense step's int8 parameters, else null. */
    static QStep.Weights weights(QStep s) {
        return s instanceof QStep.Conv c ? c.weights() : s instanceof QStep.Linear l ? l.weights() : null;
    }

    public String describe() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "input %-22s scale %.6g zero point %d%n", "", input.scale(), input.zeroPoint()));
        for (QStep s : steps) {
            QStep.Weights w = weights(s);
            ConvGeometry pool = s instanceof QStep.Conv c ? c.pool() : null;
            int act = w == null ? Epilogue.NONE : w.activation();
            b.append(String.format(Locale.ROOT, "%-6s %-8s %-14s out scale %.6g zero point %4d%s%s%n", s.name(), QStep.kind(s), w == null ? "" : w.q().length + " w",
                    s.out().scale(), s.out().zeroPoint(), act == Epilogue.RELU ? "  + ReLU (clamp)" : act == Epilogue.RELU6 ? "  + ReLU6 (clamp)" : "",
                    pool == null ? "" : "  + max pool " + pool.kh() + "x" + pool.kw() + " on the accumulators"));
        }
        b.append(String.format(Locale.ROOT, "weights: float32 %,d bytes -> int8 %,d bytes (int8 weights + int32 biases + per-channel multiplier, shift, scale): %.2fx smaller%n",
                floatWeightBytes(), int8WeightBytes(), (double) floatWeightBytes() / int8WeightBytes()));
        b.append(String.format(Locale.ROOT, "activations: arena %,d bytes as int8, lower bound %,d (float32 plan: %,d bytes)%n", memory.arenaSize(), memory.lowerBound(), 4 * plan.memoryPlan().arenaSize()));
        return b.toString();
    }
}
