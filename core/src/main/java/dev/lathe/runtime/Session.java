package dev.lathe.runtime;

import dev.lathe.kernels.Conv2d;
import dev.lathe.kernels.ConvGeometry;
import dev.lathe.kernels.Epilogue;
import dev.lathe.kernels.Gemm;
import dev.lathe.nn.Activation;
import dev.lathe.nn.BatchNorm2d;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Merge;
import dev.lathe.nn.Pool2d;
import dev.lathe.tensor.Conv;
import dev.lathe.tensor.PoolSpec;
import dev.lathe.tensor.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a frozen {@link InferencePlan} one sample at a time inside one float arena laid out by its
 * {@link MemoryPlan}: every step reads and writes at fixed offsets, weights are copied once, the
 * im2col scratch is allocated once, so {@link #predict(float[], float[])} allocates nothing per call
 * beyond the thread pool's small task objects. Not thread-safe: one session per thread.
 */
public final class Session {
    /** One compiled step over the arena. */
    @FunctionalInterface
    private interface Kernel { void run(float[] arena); }

    private final float[] arena, scratch;
    private final List<Kernel> kernels = new ArrayList<>();
    private final int inOff, inSize, outOff, outSize;
    private final InferencePlan plan;

    public Session(InferencePlan plan) {
        this.plan = plan;
        MemoryPlan mp = plan.memoryPlan();
        Map<String, Integer> offset = new HashMap<>();
        for (MemoryPlan.Placement p : mp.placements()) offset.put(p.buffer().name(), Math.toIntExact(p.offset()));
        Map<String, Shape> shapes = new HashMap<>();
        shapes.put(dev.lathe.nn.Graph.INPUT, plan.input());
        int scratchNeed = 0;
        for (InferencePlan.Step s : plan.steps()) {
            if (s.note().equals("view")) offset.put(s.name(), offset.get(s.inputs().get(0)));
            shapes.put(s.name(), s.output());
            if (s.layer() instanceof dev.lathe.nn.Conv2d c) scratchNeed = Math.max(scratchNeed, Conv2d.scratchSize(geometry(c, shapes.get(s.inputs().get(0)))));
        }
        this.arena = new float[Math.toIntExact(mp.arenaSize())];
        this.scratch = new float[scratchNeed];
        for (InferencePlan.Step s : plan.steps()) kernels.add(compile(s, offset, shapes));
        this.inOff = offset.get(dev.lathe.nn.Graph.INPUT);
        this.inSize = (int) plan.input().sampleSize();
        this.outOff = offset.get(plan.outputName());
        this.outSize = (int) shapes.get(plan.outputName()).sampleSize();
    }

    public int inputSize() { return inSize; }

    public int outputSize() { return outSize; }

    public InferencePlan plan() { return plan; }

    /** One sample in, its output written to {@code out}. */
    public void predict(float[] in, float[] out) {
        if (in.length != inSize) throw new IllegalArgumentException("predict: input has " + in.length + " values, the model takes " + inSize + " (" + plan.input() + ")");
        if (out.length != outSize) throw new IllegalArgumentException("predict: output array has " + out.length + " values, the model gives " + outSize);
        System.arraycopy(in, 0, arena, inOff, inSize);
        for (Kernel k : kernels) k.run(arena);
        System.arraycopy(arena, outOff, out, 0, outSize);
    }

    /** As above, allocating the output. NaN inputs propagate to the output (they are not checked). */
    public float[] predict(float[] in) {
        float[] out = new float[outSize];
        predict(in, out);
        return out;
    }

    private static ConvGeometry geometry(dev.lathe.nn.Conv2d c, Shape in) {
        return Conv.geometry(new int[] {1, in.dim(1), in.dim(2), in.dim(3)}, c.weight().shape(), c.spec());
    }

    private Kernel compile(InferencePlan.Step s, Map<String, Integer> off, Map<String, Shape> shapes) {
        int y = off.get(s.name());
        Shape inShape = shapes.get(s.inputs().get(0));
        int x = off.get(s.inputs().get(0));
        if (s.note().equals("view")) return a -> { };
        if (s.layer() instanceof dev.lathe.nn.Conv2d c) {
            ConvGeometry g = geometry(c, inShape);
            float[] w = c.weight().data().toFloatArray(), b = c.bias() == null ? null : c.bias().data().toFloatArray();
            int act = s.activation();
            return a -> Conv2d.forwardInto(g, a, x, w, b, a, y, act, scratch);
        }
        if (s.layer() instanceof Linear l) {
            int in = l.inFeatures(), out = l.outFeatures();
            float[] w = l.weight().data().toFloatArray(), b = l.bias() == null ? null : l.bias().data().toFloatArray();
            Epilogue ep = b == null && s.activation() == Epilogue.NONE ? Epilogue.IDENTITY : Epilogue.columnBias(b, s.activation());
            // y[1, out] = x[1, in] W^T: B(p, j) = W[j, p]
            return a -> Gemm.sgemm(1, out, in, 1f, a, x, in, 1, w, 0, 1, in, 0f, a, y, out, ep);
        }
        if (s.layer() instanceof Pool2d p) return pool(p, inShape, x, y);
        if (s.layer() instanceof Activation act) {
            int n = (int) inShape.sampleSize();
            return switch (act.kind()) {
                case RELU -> a -> { for (int i = 0; i < n; i++) a[y + i] = Math.max(a[x + i], 0f); };
                case RELU6 -> a -> { for (int i = 0; i < n; i++) a[y + i] = Math.min(Math.max(a[x + i], 0f), 6f); };
                case LEAKY_RELU -> { float sl = (float) act.slope(); yield a -> { for (int i = 0; i < n; i++) a[y + i] = a[x + i] > 0 ? a[x + i] : sl * a[x + i]; }; }
                case SIGMOID -> a -> { for (int i = 0; i < n; i++) a[y + i] = (float) (1 / (1 + Math.exp(-a[x + i]))); };
                case TANH -> a -> { for (int i = 0; i < n; i++) a[y + i] = (float) Math.tanh(a[x + i]); };
                case SOFTMAX, LOG_SOFTMAX -> {
                    int cls = inShape.dim(inShape.rank() - 1), rows = n / cls;
                    boolean log = act.kind() == Activation.Kind.LOG_SOFTMAX;
                    yield a -> softmax(a, x, y, rows, cls, log);
                }
            };
        }
        if (s.layer() instanceof BatchNorm2d bn) {
            int c = inShape.dim(1), hw = (int) (inShape.sampleSize() / c);
            float[] scale = new float[c], shift = new float[c];
            float[] gm = bn.weight().data().toFloatArray(), bt = bn.bias().data().toFloatArray(), mu = bn.runningMean().toFloatArray(), var = bn.runningVar().toFloatArray();
            for (int k = 0; k < c; k++) {
                scale[k] = (float) (gm[k] / Math.sqrt(var[k] + bn.eps()));
                shift[k] = bt[k] - mu[k] * scale[k];
            }
            return a -> { for (int k = 0; k < c; k++) for (int i = 0; i < hw; i++) a[y + k * hw + i] = a[x + k * hw + i] * scale[k] + shift[k]; };
        }
        if (s.layer() instanceof Merge m) {
            int[] xs = s.inputs().stream().mapToInt(off::get).toArray();
            int[] sizes = s.inputs().stream().mapToInt(i -> (int) shapes.get(i).sampleSize()).toArray();
            if (m.toString().equals("Add")) {
                int n = sizes[0];
                return a -> {
                    for (int i = 0; i < n; i++) {
                        float v = a[xs[0] + i];
                        for (int k = 1; k < xs.length; k++) v += a[xs[k] + i];
                        a[y + i] = v;
                    }
                };
            }
            // channel concat of one sample: the inputs are contiguous blocks one after another
            return a -> {
                int at = y;
                for (int k = 0; k < xs.length; k++) {
                    System.arraycopy(a, xs[k], a, at, sizes[k]);
                    at += sizes[k];
                }
            };
        }
        throw new IllegalArgumentException("inference session: layer '" + s.name() + "' (" + s.layer() + ") has no batch-1 kernel yet");
    }

    private static Kernel pool(Pool2d p, Shape in, int x, int y) {
        int c = in.dim(1), h = in.dim(2), w = in.dim(3);
        if (p.kind() == Pool2d.Kind.GLOBAL_AVERAGE) {
            int hw = h * w;
            return a -> {
                for (int k = 0; k < c; k++) {
                    double sum = 0;
                    for (int i = 0; i < hw; i++) sum += a[x + k * hw + i];
                    a[y + k] = (float) (sum / hw);
                }
            };
        }
        if (p.kind() == Pool2d.Kind.MAX && p.kernel() == 2 && p.stride() == 2 && p.padding() == 0 && h % 2 == 0 && w % 2 == 0) {
            // the common 2x2 window: four loads and three branch-free maxima per output (NaN propagates through Math.max)
            int oh = h / 2, ow = w / 2;
            return a -> {
                for (int ch = 0; ch < c; ch++) {
                    for (int i = 0; i < oh; i++) {
                        int r0 = x + (ch * h + 2 * i) * w, o = y + (ch * oh + i) * ow;
                        for (int j = 0; j < ow; j++) {
                            int q = r0 + 2 * j;
                            a[o + j] = Math.max(Math.max(a[q], a[q + 1]), Math.max(a[q + w], a[q + w + 1]));
                        }
                    }
                }
            };
        }
        PoolSpec spec = PoolSpec.of(p.kernel(), p.stride(), p.padding(), p.ceilMode());
        ConvGeometry g = Conv.geometry(new int[] {1, c, h, w}, spec);
        int oh = g.oh(), ow = g.ow(), k = p.kernel(), st = p.stride(), pad = p.padding();
        boolean max = p.kind() == Pool2d.Kind.MAX, countPad = p.countsPadding();
        return a -> {
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        float best = Float.NEGATIVE_INFINITY, sum = 0;
                        int cnt = 0;
                        for (int u = 0; u < k; u++) {
                            int r = i * st - pad + u;
                            if (r < 0 || r >= h) continue;
                            for (int v = 0; v < k; v++) {
                                int q = j * st - pad + v;
                                if (q < 0 || q >= w) continue;
                                float e = a[x + (ch * h + r) * w + q];
                                if (e > best || e != e) best = e;
                                sum += e;
                                cnt++;
                            }
                        }
                        a[y + (ch * oh + i) * ow + j] = max ? best : sum / (countPad ? k * k : Math.max(1, cnt));
                    }
                }
            }
        };
    }

    private static void softmax(float[] a, int x, int y, int rows, int cls, boolean log) {
        for (int r = 0; r < rows; r++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int k = 0; k < cls; k++) m = Math.max(m, a[x + r * cls + k]);
            double sum = 0;
            for (int k = 0; k < cls; k++) sum += Math.exp(a[x + r * cls + k] - m);
            for (int k = 0; k < cls; k++) {
                float z = a[x + r * cls + k] - m;
                a[y + r * cls + k] = log ? (float) (z - Math.log(sum)) : (float) (Math.exp(z) / sum);
            }
        }
    }
}
