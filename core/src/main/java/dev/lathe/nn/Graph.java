package dev.lathe.nn;

import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model whose layers form a directed acyclic graph: each node is a layer applied to the outputs
 * of earlier nodes or to the model's named inputs ({@link #INPUT} unless the builder names others),
 * and any nodes can be the named outputs (a detector's class and box heads). Nodes are added in an order where every
 * input already exists, so that order is a topological order and forward runs it as is. A
 * {@link Merge} node (residual add, channel concat) takes several inputs, any other layer one.
 * Node names are the children's names in the state dict ({@code layer1_0_conv1.weight}).
 *
 * <pre>{@code
 * Graph.Builder g = Graph.builder();
 * String y = g.chain("block", Graph.INPUT, new Conv2d(16, 16, 3), Activation.relu());
 * String sum = g.add("sum", Merge.add(), y, Graph.INPUT);
 * Graph model = g.build(sum);
 *
 * Graph.Builder two = Graph.builder("image");            // named input, two heads
 * String f = two.chain("features", "image", new Conv2d(3, 8, 3), Activation.relu());
 * two.add("classes", new Conv2d(8, 4, 1), f);
 * two.add("boxes", new Conv2d(8, 4, 1), f);
 * Map<String, Variable> out = two.build("classes", "boxes").forwardAll(Map.of("image", x));
 * }</pre>
 */
public final class Graph extends Module {
    public static final String INPUT = "input";

    /** A layer and the names of the nodes it reads. */
    public record Node(String name, Module module, List<String> inputs) {}

    private final List<Node> nodes = new ArrayList<>();
    private final List<String> inputs, outputs;
    /** Index of the last node reading each value: after it, forward drops the reference. */
    private final Map<String, Integer> lastUse = new HashMap<>();

    private Graph(List<Node> nodes, List<String> inputs, List<String> outputs) {
        this.nodes.addAll(nodes);
        this.inputs = List.copyOf(inputs);
        this.outputs = List.copyOf(outputs);
        for (Node n : nodes) registerChild(n.name(), n.module());
        for (int i = 0; i < nodes.size(); i++) for (String in : nodes.get(i).inputs()) lastUse.put(in, i);
        for (String o : outputs) lastUse.put(o, nodes.size());
    }

    /** A graph with one input, {@link #INPUT}. */
    public static Builder builder() { return new Builder(List.of(INPUT)); }

    /** A graph with these named inputs. */
    public static Builder builder(String... inputs) { return new Builder(List.of(inputs)); }

    public List<Node> nodes() { return List.copyOf(nodes); }

    @Override public List<String> inputNames() { return inputs; }

    @Override public List<String> outputNames() { return outputs; }

    /** The one output; an error naming them when the graph has several (a path that takes one output). */
    public String output() {
        if (outputs.size() != 1) throw new IllegalStateException("Graph: this path takes a graph with one output; this one has " + outputs.size() + ": " + outputs);
        return outputs.get(0);
    }

    /** The one input; an error naming them when the graph has several. */
    public String input() {
        if (inputs.size() != 1) throw new IllegalStateException("Graph: this path takes a graph with one input; this one has " + inputs.size() + ": " + inputs);
        return inputs.get(0);
    }

    public Node node(String name) {
        for (Node n : nodes) if (n.name().equals(name)) return n;
        throw new IllegalArgumentException("Graph: no node '" + name + "'");
    }

    /** Swaps a node's layer (a new classification head, say); shapes are checked on the next forward. */
    public void replace(String name, Module layer) {
        for (int i = 0; i < nodes.size(); i++) {
            Node n = nodes.get(i);
            if (!n.name().equals(name)) continue;
            if ((layer instanceof Merge) != (n.module() instanceof Merge)) throw new IllegalArgumentException("Graph: node '" + name + "' needs a " + (n.module() instanceof Merge ? "merge" : "single-input") + " layer");
            replaceChild(name, layer);
            nodes.set(i, new Node(name, layer, n.inputs()));
            return;
        }
        throw new IllegalArgumentException("Graph: no node '" + name + "'");
    }

    /** The one output for the one input. */
    @Override public Variable forward(Variable x) {
        String out = output();
        return forwardAll(Map.of(input(), x)).get(out);
    }

    /** Every output by name, for inputs by name (every declared input must be given). */
    @Override public Map<String, Variable> forwardAll(Map<String, Variable> given) {
        Map<String, Variable> values = new HashMap<>();
        for (String in : inputs) {
            Variable v = given.get(in);
            if (v == null) throw new IllegalArgumentException("Graph: input '" + in + "' not given (given " + given.keySet() + ", inputs " + inputs + ")");
            values.put(in, v);
        }
        List<Node> ns = nodes;
        for (int i = 0; i < ns.size(); i++) {
            Node n = ns.get(i);
            Variable y;
            if (n.module() instanceof Merge m) {
                List<Variable> ins = new ArrayList<>(n.inputs().size());
                for (String in : n.inputs()) ins.add(values.get(in));
                y = m.forward(ins);
            } else {
                y = n.module().forward(values.get(n.inputs().get(0)));
            }
            values.put(n.name(), y);
            for (String in : n.inputs()) if (lastUse.get(in) == i) values.remove(in);
        }
        Map<String, Variable> out = new LinkedHashMap<>();
        for (String o : outputs) out.put(o, values.get(o));
        return out;
    }

    /** Output shape of every node for the one input's shape, in node order (the input first, under its name). */
    public Map<String, Shape> shapes(Shape input) { return shapes(Map.of(input(), input)); }

    /** Output shape of every node for the inputs' shapes, in node order (the inputs first). */
    public Map<String, Shape> shapes(Map<String, Shape> inputShapes) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (String in : inputs) {
            Shape s = inputShapes.get(in);
            if (s == null) throw new IllegalArgumentException("Graph: no shape for input '" + in + "' (given " + inputShapes.keySet() + ")");
            shapes.put(in, s);
        }
        for (Node n : nodes) {
            Shape s = n.module() instanceof Merge m
                    ? m.outputShape(n.inputs().stream().map(shapes::get).toList())
                    : n.module().outputShape(shapes.get(n.inputs().get(0)));
            shapes.put(n.name(), s);
        }
        return shapes;
    }

    /** Multiply-accumulates of one node for the model's input shape. */
    long macs(Node n, Map<String, Shape> shapes) {
        return n.module() instanceof Merge m ? m.macs(n.inputs().stream().map(shapes::get).toList()) : n.module().macs(shapes.get(n.inputs().get(0)));
    }

    @Override public Shape outputShape(Shape input) { return shapes(input).get(output()); }

    @Override public long macs(Shape input) {
        Map<String, Shape> shapes = shapes(input);
        long total = 0;
        for (Node n : nodes) total += macs(n, shapes);
        return total;
    }

    /**
     * Values alive at the worst moment of a forward pass in node order, per sample: the output of
     * the node being computed plus every earlier value some later node still reads.
     */
    public long peakValues(Shape input) {
        Map<String, Shape> shapes = shapes(input);
        List<Node> ns = nodes;
        long peak = 0;
        for (int i = 0; i < ns.size(); i++) {
            long live = shapes.get(ns.get(i).name()).sampleSize();
            for (Map.Entry<String, Shape> e : shapes.entrySet()) {
                if (e.getKey().equals(ns.get(i).name())) break;
                Integer last = lastUse.get(e.getKey());
                if (last != null && last >= i) live += e.getValue().sampleSize();
            }
            peak = Math.max(peak, live);
        }
        return peak;
    }

    @Override public String toString() { return "Graph(" + nodes.size() + " nodes" + (outputs.size() > 1 || !inputs.equals(List.of(INPUT)) ? ", inputs " + inputs + ", outputs " + outputs : "") + ")"; }

    /** Adds nodes in order; every input must name an earlier node or a graph input. */
    public static final class Builder {
        private final List<Node> nodes = new ArrayList<>();
        private final List<String> inputs;
        private final Map<String, Boolean> names = new HashMap<>();

        private Builder(List<String> inputs) {
            if (inputs.isEmpty()) throw new IllegalArgumentException("Graph: at least one input");
            for (String in : inputs) {
                if (in == null || in.isEmpty() || in.contains(".")) throw new IllegalArgumentException("Graph: input name '" + in + "' must be non-empty without '.'");
                if (names.put(in, true) != null) throw new IllegalArgumentException("Graph: input '" + in + "' named twice");
            }
            this.inputs = inputs;
        }

        /** Adds a node and returns its name (for use as a later node's input). */
        public String add(String name, Module layer, String... inputs) {
            if (name == null || name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("Graph: node name '" + name + "' must be non-empty without '.'");
            if (names.containsKey(name)) throw new IllegalArgumentException("Graph: duplicate node name '" + name + "'");
            if (inputs.length == 0) throw new IllegalArgumentException("Graph: node '" + name + "' has no inputs");
            if (layer instanceof Merge ? inputs.length < 2 : inputs.length != 1) {
                throw new IllegalArgumentException("Graph: node '" + name + "' (" + layer + ") takes " + (layer instanceof Merge ? "two or more inputs" : "one input") + ", got " + Arrays.toString(inputs));
            }
            for (String in : inputs) {
                if (!names.containsKey(in)) throw new IllegalArgumentException("Graph: node '" + name + "' reads '" + in + "', which is not defined before it");
            }
            names.put(name, true);
            nodes.add(new Node(name, layer, List.of(inputs)));
            return name;
        }

        /** Adds layers one after another as nodes prefix_0, prefix_1, ...; returns the last name. */
        public String chain(String prefix, String input, Module... layers) {
            String at = input;
            for (int i = 0; i < layers.length; i++) at = add(layers.length == 1 ? prefix : prefix + "_" + i, layers[i], at);
            return at;
        }

        /** Finishes the graph with its output nodes, in order; every node must contribute to an output. */
        public Graph build(String... outputs) {
            if (outputs.length == 0) throw new IllegalArgumentException("Graph: no output named");
            Map<String, Boolean> used = new HashMap<>();
            for (String output : outputs) {
                if (!names.containsKey(output) || inputs.contains(output)) throw new IllegalArgumentException("Graph: output '" + output + "' is not a node");
                if (used.put(output, true) != null) throw new IllegalArgumentException("Graph: output '" + output + "' named twice");
            }
            // walk back from the outputs: a node nothing reads is a wiring mistake
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node n = nodes.get(i);
                if (!used.containsKey(n.name())) throw new IllegalArgumentException("Graph: node '" + n.name() + "' does not reach the output" + (outputs.length > 1 ? "s " + List.of(outputs) : " '" + outputs[0] + "'"));
                for (String in : n.inputs()) used.put(in, true);
            }
            for (String in : inputs) if (!used.containsKey(in)) throw new IllegalArgumentException("Graph: input '" + in + "' is read by no node");
            return new Graph(nodes, inputs, List.of(outputs));
        }
    }
}
