package dev.lathe.runtime;

import dev.lathe.kernels.ChannelsLast;
import dev.lathe.kernels.ConvGeometry;
import dev.lathe.kernels.Epilogue;
import dev.lathe.kernels.InvertedResidual;
import dev.lathe.kernels.PlanarStem;
import dev.lathe.nn.Activation;
import dev.lathe.nn.BatchNorm2d;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Flatten;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Merge;
import dev.lathe.nn.Module;
import dev.lathe.nn.Pool2d;
import dev.lathe.tensor.Conv;
import dev.lathe.tensor.PoolSpec;
import dev.lathe.tensor.Shape;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The channels-last form of a session's steps: every 4-D value lives in the arena as [h, w, c]
 * (the model's input is transposed on the way in, a 4-D output on the way out), so convolutions
 * are GEMMs over output pixels and depthwise/pooling vectorize across channels
 * ({@link ChannelsLast}). A dense layer reading a flattened feature map takes its weight columns
 * permuted once to the (h, w, c) order, so the flatten stays a view. A plan with a step this form
 * has no kernel for (a grouped but not depthwise convolution, softmax over a feature map) runs
 * channels-first instead: {@link #supports}.
 */
final class ChannelsLastSteps {
    private ChannelsLastSteps() {}

    /** Whether every step of the plan has a channels-last kernel. */
    static boolean supports(InferencePlan plan) {
        if (plan.input().rank() != 4) return false;
        Map<String, Shape> shapes = new HashMap<>(Map.of(dev.lathe.nn.Graph.INPUT, plan.input()));
        Map<String, List<InferencePlan.Step>> readers = readers(plan);
        for (InferencePlan.Step s : plan.steps()) {
            Shape in = shapes.get(s.inputs().get(0));
            shapes.put(s.name(), s.output());
            Module l = s.layer();
            boolean ok = switch (l) {
                case Conv2d c -> in.rank() == 4 && (c.spec().groups() == 1 || c.spec().groups() == in.dim(1) && c.outChannels() == in.dim(1));
                case Pool2d p -> in.rank() == 4;
                case BatchNorm2d bn -> in.rank() == 4;
                case Activation a -> in.rank() != 4 || (a.kind() != Activation.Kind.SOFTMAX && a.kind() != Activation.Kind.LOG_SOFTMAX);
                case Merge m -> m.kind() == Merge.Kind.ADD || s.inputs().stream().allMatch(i -> shapes.get(i).rank() == 4);
                case Flatten f -> in.rank() != 4 || spatial(in) == 1
                        || (!s.name().equals(plan.outputName()) && readers.getOrDefault(s.name(), List.of()).stream().allMatch(r -> r.layer() instanceof Linear));
                case Linear lin -> in.rank() == 2;
                default -> false;
            };
            if (!ok) return false;
        }
        return true;
    }

    private static int spatial(Shape s) { return s.dim(2) * s.dim(3); }

    /** The steps reading each value. */
    private static Map<String, List<InferencePlan.Step>> readers(InferencePlan plan) {
        Map<String, List<InferencePlan.Step>> readers = new HashMap<>();
        for (InferencePlan.Step s : plan.steps()) for (String i : s.inputs()) readers.computeIfAbsent(i, k -> new java.util.ArrayList<>()).add(s);
        return readers;
    }

    /** The kernel of a step whose work a fused block does. */
    static final Session.Kernel ABSORBED = a -> { };

    /**
     * One of MobileNetV2's inverted residual blocks: [1x1 conv ->] 3x3 depthwise -> 1x1 conv [-> add
     * of the block input], each value read only by the next; {@code input} is the value it reads.
     */
    record Block(InferencePlan.Step expand, InferencePlan.Step depthwise, InferencePlan.Step project, InferencePlan.Step add, String input) {
        InferencePlan.Step first() { return expand != null ? expand : depthwise; }

        InferencePlan.Step last() { return add != null ? add : project; }

        List<InferencePlan.Step> steps() {
            List<InferencePlan.Step> l = new java.util.ArrayList<>();
            if (expand != null) l.add(expand);
            l.add(depthwise);
            l.add(project);
            if (add != null) l.add(add);
            return l;
        }
    }

    /**
     * The plan's inverted residual blocks, each to run as one fused kernel ({@link InvertedResidual})
     * on its first step, with empty kernels on the rest. Every such block is fused: measured per block
     * on MobileNetV2 at 224, fused against unfused channels-last, 1 thread: 0.86 vs 1.21 ms at
     * 112x112x96, 0.76 vs 0.84 at 56x56x144, within +-10% from 28x28 down (8.07 vs 8.28 ms in all);
     * 2 threads: 4.60 vs 5.11 ms (a third of the hand-offs).
     */
    static List<Block> findBlocks(InferencePlan plan, Map<String, Shape> shapes) {
        Map<String, List<InferencePlan.Step>> readers = readers(plan);
        Map<String, InferencePlan.Step> byName = new HashMap<>();
        for (InferencePlan.Step s : plan.steps()) byName.put(s.name(), s);
        List<Block> blocks = new java.util.ArrayList<>();
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (InferencePlan.Step d : plan.steps()) {
            if (!(d.layer() instanceof Conv2d dc) || taken.contains(d.name())) continue;
            InferencePlan.Step p = soleReader(d, readers, plan);
            if (!InvertedResidual.fits(geometry(dc, shapes.get(d.inputs().get(0)))) || p == null || !isPointwise(p, shapes)) continue;
            InferencePlan.Step e = byName.get(d.inputs().get(0));
            if (e != null && (!isPointwise(e, shapes) || soleReader(e, readers, plan) != d || taken.contains(e.name()))) e = null;
            String blockIn = e != null ? e.inputs().get(0) : d.inputs().get(0);
            InferencePlan.Step add = soleReader(p, readers, plan);
            boolean residual = add != null && add.layer() instanceof Merge m && m.kind() == Merge.Kind.ADD && add.inputs().size() == 2
                    && add.inputs().contains(blockIn) && add.inputs().contains(p.name()) && !add.inputs().get(0).equals(add.inputs().get(1))
                    && shapes.get(blockIn).equals(add.output());
            Block b = new Block(e, d, p, residual ? add : null, blockIn);
            blocks.add(b);
            for (InferencePlan.Step st : b.steps()) taken.add(st.name());
        }
        return blocks;
    }

    /**
     * The steps as a session with these blocks runs them, for its memory plan: a block is one step
     * reading its input and writing its last value, so its intermediate values (MobileNetV2's
     * expanded tensors) get no buffer, and its input and output are live together (never overlap).
     */
    static List<MemoryPlan.Use> uses(InferencePlan plan, List<Block> blocks) {
        Map<String, Block> byFirst = new HashMap<>();
        java.util.Set<String> inside = new java.util.HashSet<>();
        for (Block b : blocks) {
            byFirst.put(b.first().name(), b);
            for (InferencePlan.Step st : b.steps()) inside.add(st.name());
        }
        List<MemoryPlan.Use> uses = new java.util.ArrayList<>();
        for (InferencePlan.Step s : plan.steps()) {
            Block b = byFirst.get(s.name());
            if (b != null) uses.add(new MemoryPlan.Use(b.last().name(), b.last().output().sampleSize(), List.of(b.input()), false));
            else if (!inside.contains(s.name())) uses.add(new MemoryPlan.Use(s.name(), s.output().sampleSize(), s.inputs(), s.note().equals("view")));
        }
        return uses;
    }

    /** The fused kernel of a block: its input and output at their offsets in the session's arena (disjoint by {@link #uses}). */
    static Session.Kernel blockKernel(Block b, Map<String, Integer> off, Map<String, Shape> shapes) {
        InferencePlan.Step e = b.expand(), d = b.depthwise(), p = b.project();
        Conv2d dc = (Conv2d) d.layer();
        InvertedResidual block = new InvertedResidual(e == null ? null : packed(e, shapes), e == null ? Epilogue.NONE : e.activation(),
                geometry(dc, shapes.get(d.inputs().get(0))), dc.weight().data().toFloatArray(), dc.bias() == null ? null : dc.bias().data().toFloatArray(),
                d.activation(), packed(p, shapes), p.activation(), b.add() != null);
        int x = off.get(b.input()), y = off.get(b.last().name());
        return a -> block.run(a, x, a, y);
    }

    /** The only step reading s's value, or null (several readers, none, or s is the model output). */
    private static InferencePlan.Step soleReader(InferencePlan.Step s, Map<String, List<InferencePlan.Step>> readers, InferencePlan plan) {
        List<InferencePlan.Step> r = readers.getOrDefault(s.name(), List.of());
        return r.size() == 1 && !s.name().equals(plan.outputName()) ? r.get(0) : null;
    }

    private static boolean isPointwise(InferencePlan.Step s, Map<String, Shape> shapes) {
        return s.layer() instanceof Conv2d c && c.spec().groups() == 1 && geometry(c, shapes.get(s.inputs().get(0))).isPointwise();
    }

    private static ChannelsLast.PackedConv packed(InferencePlan.Step s, Map<String, Shape> shapes) {
        Conv2d c = (Conv2d) s.layer();
        return ChannelsLast.pack(geometry(c, shapes.get(s.inputs().get(0))), c.weight().data().toFloatArray(), c.bias() == null ? null : c.bias().data().toFloatArray());
    }

    private static ConvGeometry geometry(Conv2d c, Shape in) { return Conv.geometry(new int[] {1, in.dim(1), in.dim(2), in.dim(3)}, c.weight().shape(), c.spec()); }

    /** The one step that reads the model's input, or null when several do. */
    static InferencePlan.Step inputReader(InferencePlan plan) {
        InferencePlan.Step reader = null;
        for (InferencePlan.Step s : plan.steps()) {
            if (!s.inputs().contains(dev.lathe.nn.Graph.INPUT)) continue;
            if (reader != null) return null;
            reader = s;
        }
        return reader;
    }

    /**
     * The input's one reader ({@link #inputReader}) as a {@link PlanarStem}, when it is a convolution
     * that kernel runs (an image's few channels, stride 1 or 2): the session then copies the input into
     * the stem's padded planes instead of transposing it. Else null.
     */
    static PlanarStem planarStem(InferencePlan.Step reader, Shape input) {
        if (planarStemUnfit(reader, input) != null) return null;
        Conv2d c = (Conv2d) reader.layer();
        return new PlanarStem(geometry(c, input), c.weight().data().toFloatArray(), c.bias() == null ? null : c.bias().data().toFloatArray());
    }

    /** Why the input's reader runs as no {@link PlanarStem} ({@link PlanarStem#unfit} when it is a dense convolution), or null when it does. */
    static String planarStemUnfit(InferencePlan.Step reader, Shape input) {
        if (reader == null || input.rank() != 4 || !(reader.layer() instanceof Conv2d c) || c.spec().groups() != 1) return "the input is not read by one dense convolution alone";
        return PlanarStem.unfit(geometry(c, input));
    }

    /**
     * The kernel of one step, or null for the steps whose channels-first kernel is the same
     * (element-wise activations, residual adds, views, dense layers on plain vectors).
     * {@code flattenedFrom} maps a flattened value to the 4-D shape it was flattened from.
     */
    static Session.Kernel compile(InferencePlan.Step s, Map<String, Integer> off, Map<String, Shape> shapes, Map<String, Shape> flattenedFrom) {
        int y = off.get(s.name()), x = off.get(s.inputs().get(0));
        Shape in = shapes.get(s.inputs().get(0));
        Module l = s.layer();
        if (l instanceof Conv2d c) {
            ConvGeometry g = geometry(c, in);
            float[] w = c.weight().data().toFloatArray(), b = c.bias() == null ? null : c.bias().data().toFloatArray();
            int act = s.activation();
            if (g.isDepthwise()) {
                float[] wt = ChannelsLast.packDepthwise(g, w);
                return a -> ChannelsLast.depthwise(g, a, x, wt, b, a, y, act);
            }
            ChannelsLast.PackedConv pc = ChannelsLast.pack(g, w, b);  // once per session: the weights never change
            return a -> ChannelsLast.conv(pc, a, x, a, y, act);
        }
        if (l instanceof Pool2d p) {
            int c = in.dim(1), h = in.dim(2), w = in.dim(3);
            PoolSpec spec = p.kind() == Pool2d.Kind.GLOBAL_AVERAGE ? new PoolSpec(h, w, 1, 1, 0, 0) : PoolSpec.of(p.kernel(), p.stride(), p.padding(), p.ceilMode());
            ConvGeometry g = Conv.geometry(new int[] {1, c, h, w}, spec);
            if (p.kind() == Pool2d.Kind.MAX) return a -> ChannelsLast.maxPool(g, a, x, a, y);
            boolean countPad = p.kind() == Pool2d.Kind.GLOBAL_AVERAGE || p.countsPadding();
            return a -> ChannelsLast.avgPool(g, a, x, a, y, countPad);
        }
        if (l instanceof BatchNorm2d bn) {
            int c = in.dim(1), hw = spatial(in);
            float[][] ss = Session.batchNormScaleShift(bn);
            float[] scale = ss[0], shift = ss[1];
            return a -> { for (int i = 0; i < hw; i++) for (int k = 0; k < c; k++) a[y + i * c + k] = a[x + i * c + k] * scale[k] + shift[k]; };
        }
        if (l instanceof Merge m && m.kind() == Merge.Kind.CONCAT) {
            int[] xs = s.inputs().stream().mapToInt(off::get).toArray();
            int[] cs = s.inputs().stream().mapToInt(i -> shapes.get(i).dim(1)).toArray();
            int hw = spatial(in), total = s.output().dim(1);
            // channels-last concat interleaves: each pixel's channels of every input, one after another
            return a -> {
                for (int i = 0; i < hw; i++) {
                    int at = y + i * total;
                    for (int k = 0; k < xs.length; k++) {
                        System.arraycopy(a, xs[k] + i * cs[k], a, at, cs[k]);
                        at += cs[k];
                    }
                }
            };
        }
        if (l instanceof Linear lin && flattenedFrom.containsKey(s.inputs().get(0))) {
            Shape from = flattenedFrom.get(s.inputs().get(0));
            int c = from.dim(1), hw = spatial(from), inF = lin.inFeatures(), outF = lin.outFeatures();
            float[] w = lin.weight().data().toFloatArray(), pw = new float[w.length];
            // column (ch, i) of the channels-first flatten is column (i, ch) here
            for (int o = 0; o < outF; o++) for (int ch = 0; ch < c; ch++) for (int i = 0; i < hw; i++) pw[o * inF + i * c + ch] = w[o * inF + ch * hw + i];
            return Session.dense(lin, pw, s.activation(), x, y);
        }
        return null;
    }
}
