package dev.lathe.runtime;

import dev.lathe.kernels.ChannelsLast;
import dev.lathe.kernels.ConvGeometry;
import dev.lathe.kernels.Epilogue;
import dev.lathe.kernels.InvertedResidual;
import dev.lathe.kernels.PlanarStem;
import dev.lathe.ir.Node;
import dev.lathe.ir.Op;
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
        Map<String, List<Node>> readers = readers(plan);
        for (Node s : plan.steps()) {
            Shape in = shapes.get(s.inputs().get(0));
            shapes.put(s.name(), s.output());
            boolean ok = switch (s.op()) {
                case Op.Conv2d c -> in.rank() == 4 && (c.spec().groups() == 1 || c.spec().groups() == in.dim(1) && c.outChannels() == in.dim(1));
                case Op.Pool p -> in.rank() == 4;
                case Op.BatchNorm bn -> in.rank() == 4;
                case Op.Activation a -> in.rank() != 4 || (a.kind() != Op.Activation.Kind.SOFTMAX && a.kind() != Op.Activation.Kind.LOG_SOFTMAX);
                case Op.Add add -> true;
                case Op.Concat cat -> s.inputs().stream().allMatch(i -> shapes.get(i).rank() == 4);
                // a flatten of a feature map is a view only when dense layers alone read it (their weight columns are permuted)
                case Op.Reshape r -> in.rank() != 4 || spatial(in) == 1 || (r.equals(Op.Reshape.flatten()) && s.output().rank() == 2
                        && !plan.outputNames().contains(s.name()) && readers.getOrDefault(s.name(), List.of()).stream().allMatch(rd -> rd.op() instanceof Op.Dense));
                case Op.Dense d -> in.rank() == 2;
                case Op.Dropout d -> false;
                // no channels-last kernels yet: a plan with them runs channels-first
                case Op.Resize r -> false;
                case Op.ConvTranspose2d t -> false;
                case Op.Pad pad -> false;
                case Op.Transpose t -> false;
            };
            if (!ok) return false;
        }
        return true;
    }

    private static int spatial(Shape s) { return s.dim(2) * s.dim(3); }

    /** The steps reading each value. */
    private static Map<String, List<Node>> readers(InferencePlan plan) {
        Map<String, List<Node>> readers = new HashMap<>();
        for (Node s : plan.steps()) for (String i : s.inputs()) readers.computeIfAbsent(i, k -> new java.util.ArrayList<>()).add(s);
        return readers;
    }

    /** The kernel of a step whose work a fused block does. */
    static final Session.Kernel ABSORBED = a -> { };

    /**
     * One of MobileNetV2's inverted residual blocks: [1x1 conv ->] 3x3 depthwise -> 1x1 conv [-> add
     * of the block input], each value read only by the next; {@code input} is the value it reads.
     */
    record Block(Node expand, Node depthwise, Node project, Node add, String input) {
        Node first() { return expand != null ? expand : depthwise; }

        Node last() { return add != null ? add : project; }

        List<Node> steps() {
            List<Node> l = new java.util.ArrayList<>();
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
        Map<String, List<Node>> readers = readers(plan);
        Map<String, Node> byName = new HashMap<>();
        for (Node s : plan.steps()) byName.put(s.name(), s);
        List<Block> blocks = new java.util.ArrayList<>();
        java.util.Set<String> taken = new java.util.HashSet<>();
        for (Node d : plan.steps()) {
            if (!(d.op() instanceof Op.Conv2d dc) || taken.contains(d.name())) continue;
            Node p = soleReader(d, readers, plan);
            if (!InvertedResidual.fits(dc.geometry(shapes.get(d.input()))) || p == null || !isPointwise(p, shapes)) continue;
            Node e = byName.get(d.inputs().get(0));
            if (e != null && (!isPointwise(e, shapes) || soleReader(e, readers, plan) != d || taken.contains(e.name()))) e = null;
            String blockIn = e != null ? e.inputs().get(0) : d.inputs().get(0);
            Node add = soleReader(p, readers, plan);
            boolean residual = add != null && add.op() instanceof Op.Add && add.inputs().size() == 2
                    && add.inputs().contains(blockIn) && add.inputs().contains(p.name()) && !add.inputs().get(0).equals(add.inputs().get(1))
                    && shapes.get(blockIn).equals(add.output());
            Block b = new Block(e, d, p, residual ? add : null, blockIn);
            blocks.add(b);
            for (Node st : b.steps()) taken.add(st.name());
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
            for (Node st : b.steps()) inside.add(st.name());
        }
        List<MemoryPlan.Use> uses = new java.util.ArrayList<>();
        for (Node s : plan.steps()) {
            Block b = byFirst.get(s.name());
            if (b != null) uses.add(new MemoryPlan.Use(b.last().name(), b.last().output().sampleSize(), List.of(b.input()), false));
            else if (!inside.contains(s.name())) uses.add(new MemoryPlan.Use(s.name(), s.output().sampleSize(), s.inputs(), s.isView()));
        }
        return uses;
    }

    /** The fused kernel of a block: its input and output at their offsets in the session's arena (disjoint by {@link #uses}). */
    static Session.Kernel blockKernel(Block b, Map<String, Integer> off, Map<String, Shape> shapes) {
        Node e = b.expand(), d = b.depthwise(), p = b.project();
        Op.Conv2d dc = (Op.Conv2d) d.op();
        InvertedResidual block = new InvertedResidual(e == null ? null : packed(e, shapes), e == null ? Epilogue.NONE : e.epilogue(),
                dc.geometry(shapes.get(d.input())), dc.weight().toFloatArray(), dc.bias() == null ? null : dc.bias().toFloatArray(),
                d.epilogue(), packed(p, shapes), p.epilogue(), b.add() != null);
        int x = off.get(b.input()), y = off.get(b.last().name());
        return a -> block.run(a, x, a, y);
    }

    /** The only step reading s's value, or null (several readers, none, or s is the model output). */
    private static Node soleReader(Node s, Map<String, List<Node>> readers, InferencePlan plan) {
        List<Node> r = readers.getOrDefault(s.name(), List.of());
        return r.size() == 1 && !plan.outputNames().contains(s.name()) ? r.get(0) : null;
    }

    private static boolean isPointwise(Node s, Map<String, Shape> shapes) {
        return s.op() instanceof Op.Conv2d c && c.spec().groups() == 1 && c.geometry(shapes.get(s.input())).isPointwise();
    }

    private static ChannelsLast.PackedConv packed(Node s, Map<String, Shape> shapes) {
        Op.Conv2d c = (Op.Conv2d) s.op();
        return ChannelsLast.pack(c.geometry(shapes.get(s.input())), c.weight().toFloatArray(), c.bias() == null ? null : c.bias().toFloatArray());
    }

    /** The one step that reads the model's input, or null when several do. */
    static Node inputReader(InferencePlan plan) {
        Node reader = null;
        for (Node s : plan.steps()) {
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
    static PlanarStem planarStem(Node reader, Shape input) {
        if (planarStemUnfit(reader, input) != null) return null;
        Op.Conv2d c = (Op.Conv2d) reader.op();
        return new PlanarStem(c.geometry(input), c.weight().toFloatArray(), c.bias() == null ? null : c.bias().toFloatArray());
    }

    /** Why the input's reader runs as no {@link PlanarStem} ({@link PlanarStem#unfit} when it is a dense convolution), or null when it does. */
    static String planarStemUnfit(Node reader, Shape input) {
        if (reader == null || input.rank() != 4 || !(reader.op() instanceof Op.Conv2d c) || c.spec().groups() != 1) return "the input is not read by one dense convolution alone";
        return PlanarStem.unfit(c.geometry(input));
    }

    /**
     * The kernel of one step, or null for the steps whose channels-first kernel is the same
     * (element-wise activations, residual adds, views, dense layers on plain vectors).
     * {@code flattenedFrom} maps a flattened value to the 4-D shape it was flattened from.
     */
    static Session.Kernel compile(Node s, Map<String, Integer> off, Map<String, Shape> shapes, Map<String, Shape> flattenedFrom) {
        int y = off.get(s.name()), x = off.get(s.input());
        Shape in = shapes.get(s.input());
        return switch (s.op()) {
            case Op.Conv2d c -> {
                ConvGeometry g = c.geometry(in);
                float[] w = c.weight().toFloatArray(), b = c.bias() == null ? null : c.bias().toFloatArray();
                int act = c.epilogue();
                if (g.isDepthwise()) {
                    float[] wt = ChannelsLast.packDepthwise(g, w);
                    yield a -> ChannelsLast.depthwise(g, a, x, wt, b, a, y, act);
                }
                ChannelsLast.PackedConv pc = ChannelsLast.pack(g, w, b);  // once per session: the weights never change
                yield a -> ChannelsLast.conv(pc, a, x, a, y, act);
            }
            case Op.Pool p -> {
                ConvGeometry g = p.geometry(in);
                boolean countPad = p.countsPadding();
                yield p.kind() == Op.Pool.Kind.MAX ? a -> ChannelsLast.maxPool(g, a, x, a, y) : a -> ChannelsLast.avgPool(g, a, x, a, y, countPad);
            }
            case Op.BatchNorm bn -> {
                int c = in.dim(1), hw = spatial(in);
                float[][] ss = bn.scaleShift();
                float[] scale = ss[0], shift = ss[1];
                yield a -> { for (int i = 0; i < hw; i++) for (int k = 0; k < c; k++) a[y + i * c + k] = a[x + i * c + k] * scale[k] + shift[k]; };
            }
            case Op.Concat cat -> {
                int[] xs = s.inputs().stream().mapToInt(off::get).toArray();
                int[] cs = s.inputs().stream().mapToInt(i -> shapes.get(i).dim(1)).toArray();
                int hw = spatial(in), total = s.output().dim(1);
                // channels-last concat interleaves: each pixel's channels of every input, one after another
                yield a -> {
                    for (int i = 0; i < hw; i++) {
                        int at = y + i * total;
                        for (int k = 0; k < xs.length; k++) {
                            System.arraycopy(a, xs[k] + i * cs[k], a, at, cs[k]);
                            at += cs[k];
                        }
                    }
                };
            }
            case Op.Dense d when flattenedFrom.containsKey(s.input()) -> {
                Shape from = flattenedFrom.get(s.input());
                int c = from.dim(1), hw = spatial(from), inF = d.inFeatures(), outF = d.outFeatures();
                float[] w = d.weight().toFloatArray(), pw = new float[w.length];
                // column (ch, i) of the channels-first flatten is column (i, ch) here
                for (int o = 0; o < outF; o++) for (int ch = 0; ch < c; ch++) for (int i = 0; i < hw; i++) pw[o * inF + i * c + ch] = w[o * inF + ch * hw + i];
                yield Session.dense(d, pw, x, y, 1);
            }
            // the same kernel as channels-first: element-wise, adds, views, dense layers on plain vectors
            case Op.Dense d -> null;
            case Op.Activation a -> null;
            case Op.Add add -> null;
            case Op.Reshape r -> null;
            case Op.Dropout d -> null;
            case Op.Resize r -> null;
            case Op.ConvTranspose2d t -> null;
            case Op.Pad pad -> null;
            case Op.Transpose t -> null;
        };
    }
}
