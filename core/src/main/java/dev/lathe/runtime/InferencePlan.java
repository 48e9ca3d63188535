package dev.lathe.runtime;

import dev.lathe.kernels.Epilogue;
import dev.lathe.nn.Activation;
import dev.lathe.nn.BatchNorm2d;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Dropout;
import dev.lathe.nn.Flatten;
import dev.lathe.nn.Graph;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Merge;
import dev.lathe.nn.Module;
import dev.lathe.nn.Pool2d;
import dev.lathe.nn.Sequential;
import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Conv;
import dev.lathe.tensor.ConvSpec;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A trained model frozen for inference at batch 1: the layer graph is flattened into steps and
 * rewritten — Dropout removed, Flatten a view, BatchNorm folded into the convolution before it
 * (W' = W gamma / sigma, b' = (b - mu) gamma / sigma + beta), a ReLU or ReLU6 after a convolution
 * or dense layer fused into its GEMM epilogue — and its buffers planned into one arena ({@link MemoryPlan}).
 * {@link #run} executes the steps; every rewrite is checked against the training graph in tests.
 */
public final class InferencePlan {
    /** One step: a layer (possibly rewritten) reading named values and writing one. */
    public record Step(String name, Module layer, List<String> inputs, int activation, Shape output, String note) {}

    private final List<Step> steps;
    private final Shape input;
    private final String output;
    private final Map<String, String> aliases;
    private final MemoryPlan memory;
    private final Map<String, Integer> offsets;

    private InferencePlan(List<Step> steps, Shape input, String output, Map<String, String> aliases) {
        this.steps = List.copyOf(steps);
        this.input = input;
        this.output = output;
        this.aliases = Map.copyOf(aliases);
        this.memory = planMemory();
        // refused here, with the figure, before an int offset overflows or an allocation fails part-way
        requireOneArray(memory.arenaSize(), "a plan for input " + input);
        this.offsets = Map.copyOf(memory.offsets(uses()));
    }

    /** An arena of this many floats must fit one Java array (8 GB); {@code what} begins the refusal. */
    static void requireOneArray(long floats, String what) {
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "%s needs %,d MB of memory; one arena holds at most 8 GB (use a smaller input)", what, floats * 4 >> 20));
        }
    }

    /** Freezes a model (evaluation mode, weights copied) for one sample of the given input shape. */
    public static InferencePlan freeze(Module model, Shape sampleInput) {
        Shape in = sampleInput.with(0, 1);
        model.outputShape(in);
        model.eval();
        List<Step> raw = new ArrayList<>();
        String out = lower("", model, Graph.INPUT, raw);
        // shapes per value, then the rewrites
        Map<String, Shape> shapes = new HashMap<>(Map.of(Graph.INPUT, in));
        List<Step> typed = new ArrayList<>();
        for (Step s : raw) {
            Shape o = s.layer() instanceof Merge m ? m.outputShape(s.inputs().stream().map(shapes::get).toList()) : s.layer().outputShape(shapes.get(s.inputs().get(0)));
            shapes.put(s.name(), o);
            typed.add(new Step(s.name(), s.layer(), s.inputs(), Epilogue.NONE, o, ""));
        }
        Map<String, String> aliases = new LinkedHashMap<>();
        List<Step> steps = fuse(typed, aliases);
        return new InferencePlan(steps, in, resolve(aliases, out), aliases);
    }

    /** Flattens Sequential and Graph containers into single-layer steps named by path. */
    private static String lower(String prefix, Module m, String in, List<Step> out) {
        if (m instanceof Sequential s) {
            String at = in;
            for (int i = 0; i < s.layers().size(); i++) at = lower(join(prefix, Integer.toString(i)), s.layers().get(i), at, out);
            return at;
        }
        if (m instanceof Graph g) {
            Map<String, String> names = new HashMap<>(Map.of(g.input(), in));
            for (Graph.Node n : g.nodes()) {
                String p = join(prefix, n.name());
                if (n.module() instanceof Merge) {
                    out.add(new Step(p, n.module(), n.inputs().stream().map(names::get).toList(), Epilogue.NONE, null, ""));
                    names.put(n.name(), p);
                } else {
                    names.put(n.name(), lower(p, n.module(), names.get(n.inputs().get(0)), out));
                }
            }
            return names.get(g.output());
        }
        String name = prefix.isEmpty() ? "layer" : prefix;
        out.add(new Step(name, m, List.of(in), Epilogue.NONE, null, ""));
        return name;
    }

    private static String join(String a, String b) { return a.isEmpty() ? b : a + "." + b; }

    private static String resolve(Map<String, String> aliases, String v) {
        while (aliases.containsKey(v)) v = aliases.get(v);
        return v;
    }

    /** The rewrites, each applied where the producer's only reader is the layer being folded in. */
    private static List<Step> fuse(List<Step> in, Map<String, String> aliases) {
        Map<String, Integer> readers = new HashMap<>();
        for (Step s : in) for (String i : s.inputs()) readers.merge(i, 1, Integer::sum);
        List<Step> out = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        for (Step s0 : in) {
            List<String> ins = s0.inputs().stream().map(v -> resolve(aliases, v)).toList();
            Step s = new Step(s0.name(), s0.layer(), ins, s0.activation(), s0.output(), s0.note());
            Module l = s.layer();
            if (l instanceof Dropout) {
                aliases.put(s.name(), ins.get(0));  // the identity at inference
                continue;
            }
            if (l instanceof Flatten) {
                index.put(s.name(), out.size());
                out.add(new Step(s.name(), l, ins, Epilogue.NONE, s.output(), "view"));  // same values, new shape: no buffer
                continue;
            }
            Integer prodAt = index.get(ins.get(0));
            Step prod = prodAt == null ? null : out.get(prodAt);
            boolean sole = prod != null && readers.getOrDefault(s0.inputs().get(0), 0) == 1 && s0.inputs().size() == 1;
            if (sole && l instanceof BatchNorm2d bn && prod.layer() instanceof Conv2d conv && prod.activation() == Epilogue.NONE) {
                out.set(prodAt, new Step(prod.name(), foldBatchNorm(conv, bn), prod.inputs(), Epilogue.NONE, prod.output(), join2(prod.note(), "+ BatchNorm folded")));
                aliases.put(s.name(), prod.name());
                continue;
            }
            if (sole && l instanceof Activation a && (a.kind() == Activation.Kind.RELU || a.kind() == Activation.Kind.RELU6)
                    && (prod.layer() instanceof Conv2d || (prod.layer() instanceof Linear && prod.output().rank() == 2)) && prod.activation() == Epilogue.NONE) {
                int act = a.kind() == Activation.Kind.RELU ? Epilogue.RELU : Epilogue.RELU6;
                out.set(prodAt, new Step(prod.name(), prod.layer(), prod.inputs(), act, prod.output(), join2(prod.note(), "+ " + a + " fused")));
                aliases.put(s.name(), prod.name());
                continue;
            }
            index.put(s.name(), out.size());
            out.add(s);
        }
        return out;
    }

    private static String join2(String a, String b) { return a.isEmpty() ? b : a + " " + b; }

    /** A convolution computing conv followed by batch norm (inference statistics) in one. */
    static Conv2d foldBatchNorm(Conv2d c, BatchNorm2d bn) {
        ConvSpec s = c.spec();
        Conv2d f = Conv2d.builder(c.inChannels(), c.outChannels(), c.kernelSize()).stride(s.strideH()).padding(s.padH()).dilation(s.dilationH())
                .groups(s.groups()).bias(true).build();
        float[] w = c.weight().data().toFloatArray(), gamma = bn.weight().data().toFloatArray(), beta = bn.bias().data().toFloatArray();
        float[] mean = bn.runningMean().toFloatArray(), var = bn.runningVar().toFloatArray();
        float[] b = c.bias() == null ? new float[c.outChannels()] : c.bias().data().toFloatArray();
        int per = w.length / c.outChannels();
        float[] nw = new float[w.length], nb = new float[c.outChannels()];
        for (int o = 0; o < c.outChannels(); o++) {
            double scale = gamma[o] / Math.sqrt(var[o] + bn.eps());
            for (int k = 0; k < per; k++) nw[o * per + k] = (float) (w[o * per + k] * scale);
            nb[o] = (float) ((b[o] - mean[o]) * scale + beta[o]);
        }
        f.weight().data().assign(Tensor.of(nw, c.weight().shape()));
        f.bias().data().assign(Tensor.of(nb, c.outChannels()));
        return f;
    }

    /** Every step's output is a buffer alive from its step to its last reader (the model input from step 0, the output to the end). */
    private MemoryPlan planMemory() { return MemoryPlan.forSteps(Graph.INPUT, input.sampleSize(), uses(), output); }

    /** The steps as the memory planner sees them. */
    List<MemoryPlan.Use> uses() {
        return steps.stream().map(s -> new MemoryPlan.Use(s.name(), s.output().sampleSize(), s.inputs(), s.note().equals("view"))).toList();
    }

    public List<Step> steps() { return steps; }

    /** The input shape, batch 1. */
    public Shape input() { return input; }

    /** The name of the step whose value is the model output. */
    public String outputName() { return output; }

    /** A batch-1 executor in one arena; create one per thread. */
    public Session session() { return new Session(this); }

    /** A batch-1 executor whose calls use the given kernel thread count. */
    public Session session(int threads) { return new Session(this, threads); }

    public MemoryPlan memoryPlan() { return memory; }

    /** Arena offset of each value (the input under {@link Graph#INPUT}; a view at the offset of what it views). */
    public int offset(String value) { return offsets.get(value); }

    /** Runs one input [1, ...] (or any batch) through the frozen steps. */
    public Tensor run(Tensor x) { return runAll(x).get(output); }

    /** Every value of a run by name (the input under {@link Graph#INPUT}): what int8 calibration observes. */
    public Map<String, Tensor> runAll(Tensor x) {
        Map<String, Tensor> v = new HashMap<>();
        v.put(Graph.INPUT, x);
        try (GradMode.Scope g = GradMode.noGrad()) {
            for (Step s : steps) {
                Tensor y;
                if (s.layer() instanceof Conv2d c) {
                    y = Conv.conv2d(v.get(s.inputs().get(0)), c.weight().data(), c.bias() == null ? null : c.bias().data(), c.spec(), s.activation());
                } else if (s.layer() instanceof Merge m) {
                    List<Variable> ins = s.inputs().stream().map(n -> Variable.constant(v.get(n))).toList();
                    y = m.forward(ins).data();
                } else {
                    y = s.layer().forward(Variable.constant(v.get(s.inputs().get(0)))).data();
                    if (s.activation() == Epilogue.RELU) y = y.relu();
                    else if (s.activation() == Epilogue.RELU6) y = y.clamp(0, 6);
                }
                v.put(s.name(), y);
            }
        }
        return v;
    }

    /** The steps with their rewrites, then the arena next to its lower bound. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        int w = 4;
        for (Step s : steps) w = Math.max(w, s.name().length());
        for (Step s : steps) {
            String act = s.activation() == Epilogue.RELU ? " + ReLU" : s.activation() == Epilogue.RELU6 ? " + ReLU6" : "";
            b.append(String.format("%-" + w + "s  %-40s %-18s %s%n", s.name(), s.layer() + act, s.output(), s.note()));
        }
        b.append(String.format("Memory plan (%s): arena %,d values (%,d bytes); lower bound %,d values (peak of simultaneously live buffers)%n",
                memory.strategy(), memory.arenaSize(), memory.arenaSize() * 4, memory.lowerBound()));
        return b.toString();
    }
}
