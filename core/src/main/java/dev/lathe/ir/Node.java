package dev.lathe.ir;

import dev.lathe.tensor.Shape;
import java.util.List;

/**
 * One node of a {@link Program}: an op reading named values and writing the value named after the
 * node. {@code output} is its shape for one sample (batch 1); {@code note} says what passes did to
 * it ("+ BatchNorm folded"), for people only: nothing dispatches on it.
 */
public record Node(String name, Op op, List<String> inputs, Shape output, String note) {
    public Node {
        inputs = List.copyOf(inputs);
        if (op.arity() == 1 && inputs.size() != 1) throw new IllegalArgumentException("node '" + name + "' (" + op + ") reads one value, got " + inputs);
        if (op.arity() < 0 && inputs.size() < 2) throw new IllegalArgumentException("node '" + name + "' (" + op + ") reads two or more values, got " + inputs);
    }

    /** The value it reads first (the only one, for single-input ops). */
    public String input() { return inputs.get(0); }

    /** Whether the node is a view of its input: same values, no buffer of its own. */
    public boolean isView() { return op instanceof Op.Reshape; }

    /** The fused activation of a conv or dense node ({@link dev.lathe.kernels.Epilogue}), NONE otherwise. */
    public int epilogue() {
        return switch (op) {
            case Op.Conv2d c -> c.epilogue();
            case Op.Dense d -> d.epilogue();
            default -> dev.lathe.kernels.Epilogue.NONE;
        };
    }

    public Node with(Op newOp, String addedNote) {
        return new Node(name, newOp, inputs, output, note.isEmpty() ? addedNote : note + " " + addedNote);
    }

    public Node withInputs(List<String> newInputs) { return new Node(name, op, newInputs, output, note); }
}
