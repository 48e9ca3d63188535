package dev.lathe.ir;

import dev.lathe.kernels.Epilogue;
import dev.lathe.nn.Dropout;
import dev.lathe.nn.Flatten;
import dev.lathe.nn.Graph;
import dev.lathe.nn.Merge;
import dev.lathe.nn.Module;
import dev.lathe.nn.Sequential;
import dev.lathe.tensor.PoolSpec;
import dev.lathe.tensor.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one lowering from nn layers to the IR: containers ({@link Sequential}, {@link Graph}) are
 * flattened into nodes named by path ({@code 3.conv1}, a lone layer "layer"), each layer becomes
 * its op with its weights and statistics copied (the program is frozen: training the model on does
 * not change it). No rewriting happens here; that is the {@link Pass}es' work.
 */
public final class Lowering {
    private Lowering() {}

    /** The model (put in evaluation mode) as a program for one sample of {@code sampleInput}. */
    public static Program from(Module model, Shape sampleInput) {
        Shape in = sampleInput.with(0, 1);
        if (model instanceof Graph g) g.shapes(in); else model.outputShape(in);  // the layers' own shape checks first: their errors name the layer
        model.eval();
        List<Node> nodes = new ArrayList<>();
        Map<String, Shape> shapes = new HashMap<>(Map.of(Graph.INPUT, in));
        List<String> outs;
        if (model instanceof Graph g && g.outputNames().size() > 1) {  // several heads: each output by its node's name
            Map<String, String> names = lowerGraph("", g, Graph.INPUT, nodes, shapes);
            outs = g.outputNames().stream().map(names::get).toList();
        } else {
            outs = List.of(lower("", model, Graph.INPUT, nodes, shapes));
        }
        Map<String, Shape> inputs = new LinkedHashMap<>();
        inputs.put(Graph.INPUT, in);
        return new Program(inputs, nodes, outs);
    }

    private static String lower(String prefix, Module m, String in, List<Node> out, Map<String, Shape> shapes) {
        if (m instanceof Sequential s) {
            String at = in;
            for (int i = 0; i < s.layers().size(); i++) at = lower(join(prefix, Integer.toString(i)), s.layers().get(i), at, out, shapes);
            return at;
        }
        if (m instanceof Graph g) return lowerGraph(prefix, g, in, out, shapes).get(g.output());
        String name = prefix.isEmpty() ? "layer" : prefix;
        add(out, shapes, name, op(name, m), List.of(in));
        return name;
    }

    /** A graph's nodes; returns the program value of each graph value. */
    private static Map<String, String> lowerGraph(String prefix, Graph g, String in, List<Node> out, Map<String, Shape> shapes) {
        Map<String, String> names = new HashMap<>(Map.of(g.input(), in));
        for (Graph.Node n : g.nodes()) {
            String p = join(prefix, n.name());
            if (n.module() instanceof Merge merge) {
                add(out, shapes, p, merge.kind() == Merge.Kind.ADD ? new Op.Add() : new Op.Concat(), n.inputs().stream().map(names::get).toList());
                names.put(n.name(), p);
            } else {
                names.put(n.name(), lower(p, n.module(), names.get(n.inputs().get(0)), out, shapes));
            }
        }
        return names;
    }

    private static void add(List<Node> out, Map<String, Shape> shapes, String name, Op op, List<String> inputs) {
        Shape s = op.outputShape(inputs.stream().map(shapes::get).toList());
        shapes.put(name, s);
        out.add(new Node(name, op, inputs, s, ""));
    }

    /** The op of one layer, its tensors copied. */
    static Op op(String name, Module m) {
        return switch (m) {
            case dev.lathe.nn.Conv2d c -> new Op.Conv2d(c.weight().data().copy(), c.bias() == null ? null : c.bias().data().copy(), c.spec(), Epilogue.NONE);
            case dev.lathe.nn.Linear l -> new Op.Dense(l.weight().data().copy(), l.bias() == null ? null : l.bias().data().copy(), Epilogue.NONE);
            case dev.lathe.nn.Pool2d p -> switch (p.kind()) {
                case MAX -> new Op.Pool(Op.Pool.Kind.MAX, PoolSpec.of(p.kernel(), p.stride(), p.padding(), p.ceilMode()), false);
                case AVERAGE -> new Op.Pool(Op.Pool.Kind.AVERAGE, PoolSpec.of(p.kernel(), p.stride(), p.padding(), false), p.countsPadding());
                case GLOBAL_AVERAGE -> Op.Pool.globalAverage();
            };
            case dev.lathe.nn.BatchNorm2d bn -> new Op.BatchNorm(bn.weight().data().copy(), bn.bias().data().copy(), bn.runningMean().copy(), bn.runningVar().copy(), bn.eps());
            case dev.lathe.nn.Activation a -> new Op.Activation(Op.Activation.Kind.valueOf(a.kind().name()), a.slope());
            case Flatten f -> Op.Reshape.flatten();
            case Dropout d -> new Op.Dropout(d.probability());
            case dev.lathe.nn.Upsample u -> new Op.Resize(u.mode(), u.scaleH(), u.scaleW());
            case dev.lathe.nn.ConvTranspose2d t -> new Op.ConvTranspose2d(t.weight().data().copy(), t.bias() == null ? null : t.bias().data().copy(), t.spec(), t.outputPadding(), t.outputPadding());
            default -> throw new IllegalArgumentException("inference: layer '" + name + "' (" + m + ") has no inference op (the IR has conv, transposed conv, dense, pool, batch norm, activations, add, concat, flatten, resize, dropout)");
        };
    }

    private static String join(String a, String b) { return a.isEmpty() ? b : a + "." + b; }
}
