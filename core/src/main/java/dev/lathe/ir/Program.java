package dev.lathe.ir;

import dev.lathe.tensor.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model in the inference IR: named inputs with their shapes at batch 1, nodes in an order where
 * every value is written before it is read, and named outputs. Built by {@link Lowering} (from nn
 * layers) or by the ONNX importer, rewritten by {@link Pass}es, run by the backends.
 */
public record Program(Map<String, Shape> inputs, List<Node> nodes, List<String> outputs) {
    public Program {
        inputs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        nodes = List.copyOf(nodes);
        outputs = List.copyOf(outputs);
        Map<String, Boolean> defined = new HashMap<>();
        for (String in : inputs.keySet()) defined.put(in, true);
        for (Node n : nodes) {
            for (String i : n.inputs()) if (!defined.containsKey(i)) throw new IllegalArgumentException("program: node '" + n.name() + "' reads '" + i + "', which is not written before it");
            if (defined.put(n.name(), true) != null) throw new IllegalArgumentException("program: value '" + n.name() + "' written twice");
        }
        for (String o : outputs) if (!defined.containsKey(o)) throw new IllegalArgumentException("program: output '" + o + "' is not a value");
        if (outputs.isEmpty()) throw new IllegalArgumentException("program: no output");
    }

    /** The one input's name; an error naming them when there are several. */
    public String input() {
        if (inputs.size() != 1) throw new IllegalStateException("this path takes a program with one input; it has " + inputs.keySet());
        return inputs.keySet().iterator().next();
    }

    /** The one output's name; an error naming them when there are several. */
    public String output() {
        if (outputs.size() != 1) throw new IllegalStateException("this path takes a program with one output; it has " + outputs);
        return outputs.get(0);
    }

    /** The shape of every value (inputs first), batch 1. */
    public Map<String, Shape> shapes() {
        Map<String, Shape> s = new LinkedHashMap<>(inputs);
        for (Node n : nodes) s.put(n.name(), n.output());
        return s;
    }

    /** How many nodes read each value (a program output counts as one more reader). */
    public Map<String, Integer> readers() {
        Map<String, Integer> r = new HashMap<>();
        for (Node n : nodes) for (String i : n.inputs()) r.merge(i, 1, Integer::sum);
        for (String o : outputs) r.merge(o, 1, Integer::sum);
        return r;
    }

    /** The node writing a value, or null for an input. */
    public Node producer(String value) {
        for (Node n : nodes) if (n.name().equals(value)) return n;
        return null;
    }

    /**
     * The program with node {@code gone} removed and every reader of its value reading
     * {@code replacement} instead (an output too): how a pass drops an identity or a folded node.
     */
    public Program without(String gone, String replacement) {
        List<Node> out = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            if (n.name().equals(gone)) continue;
            out.add(n.inputs().contains(gone) ? n.withInputs(n.inputs().stream().map(i -> i.equals(gone) ? replacement : i).toList()) : n);
        }
        return new Program(inputs, out, outputs.stream().map(o -> o.equals(gone) ? replacement : o).toList());
    }

    /** The program with one node replaced by another of the same name. */
    public Program replacing(Node n) {
        List<Node> out = new ArrayList<>(nodes);
        for (int i = 0; i < out.size(); i++) if (out.get(i).name().equals(n.name())) out.set(i, n);
        return new Program(inputs, out, outputs);
    }

    /** The nodes, one a line: name, op, output shape, notes. */
    public String describe() {
        StringBuilder b = new StringBuilder();
        int w = 4;
        for (Node n : nodes) w = Math.max(w, n.name().length());
        for (Node n : nodes) b.append(String.format("%-" + w + "s  %-40s %-18s %s%n", n.name(), n.op(), n.output(), n.note()));
        return b.toString();
    }
}
