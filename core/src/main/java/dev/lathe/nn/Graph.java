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
 * of earlier nodes (or the model input, {@link #INPUT}). Nodes are added in an order where every
 * input already exists, so that order is a topological order and forward runs it as is. A
 * {@link Merge} node (residual add, channel concat) takes several inputs, any other layer one.
 * Node names are the children's names in the state dict ({@code layer1_0_conv1.weight}).
 *
 * <pre>{@code
 * Graph.Builder g = Graph.builder();
 * String y = g.chain("block", Graph.INPUT, new Conv2d(16, 16, 3), Activation.relu());
 * String sum = g.add("sum", Merge.add(), y, Graph.INPUT);
 * Graph model = g.build(sum);
 * }</pre>
 */
public final class Graph extends Module {
    public static final String INPUT = "input";

    /** A layer and the names of the nodes it reads. */
    public record Node(String name, Module module, List<String> inputs) {}

    private final List<Node> nodes = new ArrayList<>();
    private final String output;
    /** Index of the last node reading each value: after it, forward drops the reference. */
    private final Map<String, Integer> lastUse = new HashMap<>();

    private Graph(List<Node> nodes, String output) {
        this.nodes.addAll(nodes);
        this.output = output;
        for (Node n : nodes) registerChild(n.name(), n.module());
        for (int i = 0; i < nodes.size(); i++) for (String in : nodes.get(i).inputs()) lastUse.put(in, i);
        lastUse.put(output, nodes.size());
    }

    public static Builder builder() { return new Builder(); }

    public List<Node> nodes() { return List.copyOf(nodes); }

    public String output() { return output; }

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

    @Override public Variable forward(Variable x) {
        Map<String, Variable> values = new HashMap<>();
        values.put(INPUT, x);
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
        return values.get(output);
    }

    /** Output shape of every node for an input shape, in node order (the model input first, as "input"). */
    public Map<String, Shape> shapes(Shape input) {
        Map<String, Shape> shapes = new LinkedHashMap<>();
        shapes.put(INPUT, input);
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

    @Override public Shape outputShape(Shape input) { return shapes(input).get(output); }

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

    @Override public String toString() { return "Graph(" + nodes.size() + " nodes)"; }

    /** Adds nodes in order; every input must name an earlier node or {@link #INPUT}. */
    public static final class Builder {
        private final List<Node> nodes = new ArrayList<>();
        private final Map<String, Boolean> names = new HashMap<>(Map.of(INPUT, true));

        private Builder() {}

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

        /** Finishes the graph with its output node; every node must contribute to the output. */
        public Graph build(String output) {
            if (!names.containsKey(output) || output.equals(INPUT)) throw new IllegalArgumentException("Graph: output '" + output + "' is not a node");
            // walk back from the output: a node nothing reads is a wiring mistake
            Map<String, Boolean> used = new HashMap<>(Map.of(output, true));
            for (int i = nodes.size() - 1; i >= 0; i--) {
                Node n = nodes.get(i);
                if (!used.containsKey(n.name())) throw new IllegalArgumentException("Graph: node '" + n.name() + "' does not reach the output '" + output + "'");
                for (String in : n.inputs()) used.put(in, true);
            }
            return new Graph(nodes, output);
        }
    }
}
