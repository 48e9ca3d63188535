package dev.lathe.runtime;

import dev.lathe.kernels.ChannelsLast;
import dev.lathe.kernels.Conv2d;
import dev.lathe.kernels.ConvGeometry;
import dev.lathe.kernels.Gemm;
import dev.lathe.kernels.Gemv;
import dev.lathe.kernels.VectorMath;
import dev.lathe.ir.Node;
import dev.lathe.ir.Op;
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
public final class Session extends Executor {
    /** One compiled step over the arena. */
    @FunctionalInterface
    interface Kernel { void run(float[] arena); }

    private final float[] arena, scratch;
    /** The first convolution reading the input channels-first from its padded planes (null: the input goes into the arena). */
    private final dev.lathe.kernels.PlanarStem stem;
    private final float[] planes;
    private final List<Kernel> kernels = new ArrayList<>();
    private final int inOff, inSize;
    /** Per model output, in the plan's order: arena offset, values, and channels and pixels when it is 4-D and channels-last (else 0). */
    private final List<String> outNames;
    private final int[] outOffs, outSizes, outCs, outHws;
    private final InferencePlan plan;
    /** 4-D values are stored [h, w, c] ({@link ChannelsLastSteps}); the input's and output's channels and pixels when they are 4-D, else 0. */
    private final boolean channelsLast;
    private final int inC, inHw, fusedBlocks;
    /** The arena's layout: the plan's, or this session's own when blocks are fused (their intermediate values need no buffer). */
    private final MemoryPlan memory;

    public Session(InferencePlan plan) { this(plan, 0); }

    /** A session whose calls use {@code threads} kernel threads (0 = the global {@link dev.lathe.kernels.Parallel} setting). */
    public Session(InferencePlan plan, int threads) { this(plan, threads, Layout.FUSED); }

    /**
     * How 4-D values are laid out: channels-first with the training kernels, channels-last, or
     * channels-last with fused inverted residual blocks (the default where the plan allows:
     * {@link #channelsLast()} tells what a session runs). The other two exist to measure and test against.
     */
    public enum Layout { CHANNELS_FIRST, CHANNELS_LAST, FUSED }

    /**
     * Refuses, before allocating, more than the heap has free (with the figure it needs), instead of an
     * OutOfMemoryError part-way through.
     */
    static void requireHeap(long bytes, String what) {
        Runtime rt = Runtime.getRuntime();
        long free = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (bytes > free) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s needs %,d MB of memory; the JVM heap has %d MB free of %d MB (raise -Xmx, or use a smaller input)",
                    what, bytes >> 20, free >> 20, rt.maxMemory() >> 20));
        }
    }

    public Session(InferencePlan plan, int threads, Layout layout) {
        super(threads);
        this.plan = plan;
        Map<String, Shape> shapes = new HashMap<>();
        shapes.put(dev.lathe.nn.Graph.INPUT, plan.input());
        int scratchNeed = 0;
        for (Node s : plan.steps()) {
            shapes.put(s.name(), s.output());
            if (s.op() instanceof Op.Conv2d c) scratchNeed = Math.max(scratchNeed, Conv2d.scratchSize(c.geometry(shapes.get(s.input()))));
            if (s.op() instanceof Op.ConvTranspose2d t) scratchNeed = Math.max(scratchNeed, Conv2d.transposeScratchSize(t.geometry(s.output())));
        }
        this.channelsLast = layout != Layout.CHANNELS_FIRST && ChannelsLastSteps.supports(plan);
        List<ChannelsLastSteps.Block> blocks = channelsLast && layout == Layout.FUSED ? ChannelsLastSteps.findBlocks(plan, shapes) : List.of();
        // a session with fused blocks plans its own arena: the blocks' intermediate values have no buffer
        List<MemoryPlan.Use> uses = blocks.isEmpty() ? null : ChannelsLastSteps.uses(plan, blocks);
        this.memory = uses == null ? plan.memoryPlan() : MemoryPlan.forSteps(dev.lathe.nn.Graph.INPUT, plan.input().sampleSize(), uses, plan.outputNames());
        Map<String, Integer> offset = new HashMap<>();
        if (uses != null) {
            offset.putAll(memory.offsets(uses));
        } else {
            offset.put(dev.lathe.nn.Graph.INPUT, plan.offset(dev.lathe.nn.Graph.INPUT));
            for (Node s : plan.steps()) offset.put(s.name(), plan.offset(s.name()));
        }
        String what = "a session of this plan (input " + plan.input() + ")";
        InferencePlan.requireOneArray(memory.arenaSize(), what);  // a session with fused blocks plans an arena of its own
        requireHeap(4 * (memory.arenaSize() + (channelsLast ? 0 : scratchNeed)), what);
        this.arena = new float[(int) memory.arenaSize()];
        this.scratch = new float[channelsLast ? 0 : scratchNeed];  // channels-last gathers its patches per thread, in L1
        Map<String, Kernel> fused = new HashMap<>();
        for (ChannelsLastSteps.Block b : blocks) {
            for (Node st : b.steps()) fused.put(st.name(), ChannelsLastSteps.ABSORBED);
            fused.put(b.first().name(), ChannelsLastSteps.blockKernel(b, offset, shapes));
        }
        Node inputReader = channelsLast ? ChannelsLastSteps.inputReader(plan) : null;
        this.stem = ChannelsLastSteps.planarStem(inputReader, plan.input());
        this.planes = stem == null ? null : new float[stem.planesSize()];
        String stemStep = stem == null ? null : inputReader.name();
        Map<String, Shape> flattenedFrom = new HashMap<>();
        for (Node s : plan.steps()) {
            Shape in = shapes.get(s.inputs().get(0));
            if (s.isView() && in.rank() == 4 && in.dim(2) * in.dim(3) > 1) flattenedFrom.put(s.name(), in);
            Kernel k;
            if (s.name().equals(stemStep)) {  // its channels-last kernel (and its packed weights) never built
                int y = offset.get(s.name()), act = s.epilogue();
                k = a -> stem.run(planes, a, y, act);
            } else {
                k = fused.containsKey(s.name()) ? fused.get(s.name()) : channelsLast ? ChannelsLastSteps.compile(s, offset, shapes, flattenedFrom) : null;
            }
            kernels.add(k != null ? k : compile(s, offset, shapes));
        }
        this.fusedBlocks = blocks.size();
        boolean in4 = channelsLast && plan.input().rank() == 4;
        this.inC = in4 ? plan.input().dim(1) : 0;
        this.inHw = in4 ? plan.input().dim(2) * plan.input().dim(3) : 0;
        this.inOff = offset.get(dev.lathe.nn.Graph.INPUT);
        this.inSize = (int) plan.input().sampleSize();
        this.outNames = plan.outputNames();
        int k = outNames.size();
        this.outOffs = new int[k];
        this.outSizes = new int[k];
        this.outCs = new int[k];
        this.outHws = new int[k];
        for (int i = 0; i < k; i++) {
            Shape o = shapes.get(outNames.get(i));
            boolean out4 = channelsLast && o.rank() == 4;
            outOffs[i] = offset.get(outNames.get(i));
            outSizes[i] = (int) o.sampleSize();
            outCs[i] = out4 ? o.dim(1) : 0;
            outHws[i] = out4 ? o.dim(2) * o.dim(3) : 0;
        }
    }

    @Override public int inputSize() { return inSize; }

    /** Values of the one output; an error naming the outputs when there are several. */
    @Override public int outputSize() { return outSizes[single()]; }

    /** Values of a named output. */
    public int outputSize(String output) { return outSizes[outputIndex(output)]; }

    /** The model's outputs, in order. */
    public List<String> outputNames() { return outNames; }

    private int single() {
        if (outNames.size() != 1) throw new IllegalStateException("predict: the model has outputs " + outNames + "; use predictAll");
        return 0;
    }

    private int outputIndex(String name) {
        int i = outNames.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("session: no output '" + name + "' (outputs " + outNames + ")");
        return i;
    }

    public InferencePlan plan() { return plan; }

    /** One sample in, its output written to {@code out} (a model with one output). */
    @Override public void predict(float[] in, float[] out) {
        int o = single();
        if (out.length != outSizes[o]) throw new IllegalArgumentException("predict: output array has " + out.length + " values, the model gives " + outSizes[o]);
        run(in);
        copyOut(o, out);
    }

    /** One sample in, every output by name (channels-first, as the plan's shapes say): a detector's heads. */
    public java.util.Map<String, float[]> predictAll(float[] in) {
        run(in);
        java.util.Map<String, float[]> out = new java.util.LinkedHashMap<>();
        for (int o = 0; o < outNames.size(); o++) {
            float[] v = new float[outSizes[o]];
            copyOut(o, v);
            out.put(outNames.get(o), v);
        }
        return out;
    }

    private void run(float[] in) {
        requireInput(in, "predict");
        copyIn(in);
        runSteps(kernels.size(), i -> kernels.get(i).run(arena));
    }

    private void copyOut(int o, float[] out) {
        if (outHws[o] > 0) ChannelsLast.toChannelsFirst(arena, outOffs[o], outCs[o], outHws[o], out, 0);
        else System.arraycopy(arena, outOffs[o], out, 0, outSizes[o]);
    }

    /** The caller's channels-first input into the arena, transposed when the session runs channels-last (or into the first convolution's padded planes, as it is). */
    private void copyIn(float[] in) {
        if (stem != null) stem.copyIn(in, 0, planes);
        else if (inHw > 0) ChannelsLast.toChannelsLast(in, 0, inC, inHw, arena, inOff);
        else System.arraycopy(in, 0, arena, inOff, inSize);
    }

    /** The memory plan of this session's arena (smaller than the plan's when blocks are fused). */
    public MemoryPlan memoryPlan() { return memory; }

    /** Inverted residual blocks this session runs as one fused kernel each. */
    public int fusedBlocks() { return fusedBlocks; }

    /** Whether the first convolution reads the input channels-first from padded planes (no transpose on the way in; {@link dev.lathe.kernels.PlanarStem}). */
    public boolean planarStem() { return stem != null; }

    /** Why the first convolution does not read the input from padded planes (the lane width, scalar mode, its geometry), or null when it does. */
    public String planarStemUnfit() {
        if (stem != null) return null;
        return channelsLast ? ChannelsLastSteps.planarStemUnfit(ChannelsLastSteps.inputReader(plan), plan.input()) : "a channels-first session";
    }

    /** Whether 4-D values run channels-last ([h, w, c]) in this session. */
    public boolean channelsLast() { return channelsLast; }

    /**
     * Mean milliseconds per step over {@code runs} calls on {@code in} (after the caller's warm-up),
     * in plan order: where the time of a prediction goes.
     */
    public double[] profile(float[] in, int runs) {
        requireInput(in, "profile");
        return profile(kernels.size(), runs, () -> copyIn(in), i -> kernels.get(i).run(arena));
    }

    /** A call as predict makes it on a zero input, every output copied out (a model may have several): what the warm-up repeats. */
    @Override Runnable zeroCall() {
        float[] in = new float[inSize];
        float[][] outs = new float[outNames.size()][];
        for (int o = 0; o < outs.length; o++) outs[o] = new float[outSizes[o]];
        return () -> {
            run(in);
            for (int o = 0; o < outs.length; o++) copyOut(o, outs[o]);
        };
    }

    /** As above, allocating the output. NaN inputs propagate to the output (they are not checked). */
    public float[] predict(float[] in) {
        float[] out = new float[outputSize()];
        predict(in, out);
        return out;
    }

    /** The channels-first batch-1 kernel of a step: one case per op, the compiler checks that none is missing. */
    private Kernel compile(Node s, Map<String, Integer> off, Map<String, Shape> shapes) {
        int y = off.get(s.name());
        Shape inShape = shapes.get(s.input());
        int x = off.get(s.input());
        return switch (s.op()) {
            case Op.Conv2d c -> {
                ConvGeometry g = c.geometry(inShape);
                float[] w = c.weight().toFloatArray(), b = c.bias() == null ? null : c.bias().toFloatArray();
                int act = c.epilogue();
                if (g.isDepthwise()) yield a -> Conv2d.forwardInto(g, a, x, w, b, a, y, act, scratch);
                Gemm.PackedA[] packed = Conv2d.packWeights(g, w);  // once per session: the weights never change
                yield a -> Conv2d.forwardInto(g, a, x, packed, b, a, y, act, scratch);
            }
            case Op.Dense d -> dense(d, d.weight().toFloatArray(), x, y, (int) (inShape.sampleSize() / d.inFeatures()));
            case Op.Pool p -> {
                ConvGeometry g = p.geometry(inShape);
                boolean countPad = p.countsPadding();
                yield p.kind() == Op.Pool.Kind.MAX ? a -> dev.lathe.kernels.Pool2d.maxInto(g, a, x, a, y) : a -> dev.lathe.kernels.Pool2d.avgInto(g, a, x, a, y, countPad);
            }
            case Op.Activation act -> activation(act, inShape, x, y);
            case Op.BatchNorm bn -> {
                int c = inShape.dim(1), hw = (int) (inShape.sampleSize() / c);
                float[][] ss = bn.scaleShift();
                float[] scale = ss[0], shift = ss[1];
                yield a -> { for (int k = 0; k < c; k++) for (int i = 0; i < hw; i++) a[y + k * hw + i] = a[x + k * hw + i] * scale[k] + shift[k]; };
            }
            case Op.Add add -> {
                int[] xs = s.inputs().stream().mapToInt(off::get).toArray();
                int n = (int) inShape.sampleSize();
                // the training graph's vector add, input after input (the scalar loop was 5% of MobileNetV2's batch-1 time)
                yield a -> {
                    VectorMath.binary(VectorMath.ADD, a, xs[0], 1, a, xs[1], 1, a, y, n);
                    for (int k = 2; k < xs.length; k++) VectorMath.binary(VectorMath.ADD, a, y, 1, a, xs[k], 1, a, y, n);
                };
            }
            case Op.Concat cat -> {
                int[] xs = s.inputs().stream().mapToInt(off::get).toArray();
                int[] sizes = s.inputs().stream().mapToInt(i -> (int) shapes.get(i).sampleSize()).toArray();
                // channel concat of one sample: the inputs are contiguous blocks one after another
                yield a -> {
                    int at = y;
                    for (int k = 0; k < xs.length; k++) {
                        System.arraycopy(a, xs[k], a, at, sizes[k]);
                        at += sizes[k];
                    }
                };
            }
            case Op.Reshape r -> a -> { };  // a view: the memory plan gave it its input's offset
            case Op.Dropout d -> throw new IllegalArgumentException("inference session: step '" + s.name() + "' is a dropout the plan did not remove (run Pass.INFERENCE)");
            case Op.Resize r -> {
                var th = dev.lathe.kernels.Resize.taps(r.mode(), inShape.dim(2), r.scaleH());
                var tw = dev.lathe.kernels.Resize.taps(r.mode(), inShape.dim(3), r.scaleW());
                int c = inShape.dim(1), h = inShape.dim(2), w = inShape.dim(3);
                yield a -> dev.lathe.kernels.Resize.forward(th, tw, c, h, w, a, x, a, y);
            }
            case Op.Pad pad -> {
                int c = inShape.dim(1), h = inShape.dim(2), w = inShape.dim(3), oh = s.output().dim(2), ow = s.output().dim(3);
                int top = pad.top(), left = pad.left(), n = c * oh * ow;
                yield a -> {
                    java.util.Arrays.fill(a, y, y + n, 0f);
                    for (int ch = 0; ch < c; ch++) for (int i = 0; i < h; i++) System.arraycopy(a, x + (ch * h + i) * w, a, y + (ch * oh + i + top) * ow + left, w);
                };
            }
            case Op.Transpose t -> {
                int[] from = transposeSources(inShape, t.perm());  // once: the source of every output value
                yield a -> { for (int i = 0; i < from.length; i++) a[y + i] = a[x + from[i]]; };
            }
            case Op.ConvTranspose2d t -> {
                ConvGeometry g = t.geometry(s.output());
                float[] w = t.weight().toFloatArray(), b = t.bias() == null ? null : t.bias().toFloatArray();
                yield a -> Conv2d.transposeInto(g, a, x, w, b, a, y, scratch);
            }
        };
    }

    /** For each value of x transposed by {@code perm} (row-major), the flat index in x it comes from. */
    static int[] transposeSources(Shape in, int[] perm) {
        int rank = in.rank();
        int[] stride = new int[rank], outDims = new int[rank];
        for (int d = rank - 1, st = 1; d >= 0; st *= in.dim(d), d--) stride[d] = st;
        for (int d = 0; d < rank; d++) outDims[d] = in.dim(perm[d]);
        int[] from = new int[Math.toIntExact(in.sampleSize() * in.dim(0))], idx = new int[rank];
        for (int i = 0; i < from.length; i++) {
            int src = 0;
            for (int d = 0; d < rank; d++) src += idx[d] * stride[perm[d]];
            from[i] = src;
            for (int d = rank - 1; d >= 0 && ++idx[d] == outDims[d]; d--) idx[d] = 0;
        }
        return from;
    }

    /** An element-wise activation (or softmax over the last axis) with the training graph's kernels, at arena offsets. */
    private static Kernel activation(Op.Activation act, Shape inShape, int x, int y) {
        int n = (int) inShape.sampleSize();
        return switch (act.kind()) {
            case RELU -> a -> VectorMath.unary(VectorMath.RELU, a, x, a, y, n, 0f);
            case RELU6 -> a -> { for (int i = 0; i < n; i++) a[y + i] = Math.min(Math.max(a[x + i], 0f), 6f); };
            case LEAKY_RELU -> { float sl = (float) act.slope(); yield a -> VectorMath.unary(VectorMath.LEAKY_RELU, a, x, a, y, n, sl); }
            case SIGMOID -> a -> VectorMath.unary(VectorMath.SIGMOID, a, x, a, y, n, 0f);
            case TANH -> a -> VectorMath.unary(VectorMath.TANH, a, x, a, y, n, 0f);
            case SOFTMAX, LOG_SOFTMAX -> {
                int cls = inShape.dim(inShape.rank() - 1), rows = n / cls;
                boolean log = act.kind() == Op.Activation.Kind.LOG_SOFTMAX;
                yield a -> softmax(a, x, y, rows, cls, log);
            }
        };
    }

    /** A dense layer at batch 1 with the given weights (the layer's, or its columns permuted), packed once per session. */
    static Kernel dense(Op.Dense d, float[] w, int x, int y, int rows) {
        Gemv.Packed pk = Gemv.pack(w, d.bias() == null ? null : d.bias().toFloatArray(), d.inFeatures(), d.outFeatures());
        int act = d.epilogue(), in = d.inFeatures(), out = d.outFeatures();
        if (rows == 1) return a -> Gemv.run(pk, a, x, a, y, act);
        // a dense layer on [1, ..., features]: the same vector kernel on every row
        return a -> { for (int r = 0; r < rows; r++) Gemv.run(pk, a, x + r * in, a, y + r * out, act); };
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
