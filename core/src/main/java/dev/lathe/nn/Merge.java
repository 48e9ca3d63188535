package dev.lathe.nn;

import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Shape;
import java.util.List;

/**
 * A layer with several inputs (a residual sum, a channel concatenation): used as a node of a
 * {@link Graph}. The single-input {@link #forward(Variable)} is not available.
 */
public abstract class Merge extends Module {
    /** What the merge computes (exporters and the inference runtime dispatch on it). */
    public enum Kind { ADD, CONCAT }

    public abstract Kind kind();

    public abstract Variable forward(List<Variable> inputs);

    public abstract Shape outputShape(List<Shape> inputs);

    @Override public final Variable forward(Variable x) { throw new UnsupportedOperationException(this + " takes several inputs; use it in a Graph"); }

    @Override public final Shape outputShape(Shape input) { throw new UnsupportedOperationException(this + " takes several inputs; use it in a Graph"); }

    /** Multiply-accumulates for these input shapes (adds are not counted as MACs). */
    public long macs(List<Shape> inputs) { return 0; }

    /** Element-wise sum of equally shaped inputs: the residual connection. */
    public static Merge add() { return new Add(); }

    /** Concatenation along the channel axis (1) of inputs equal in every other dimension: Inception, DenseNet, Fire. */
    public static Merge concat() { return new Concat(); }

    private static final class Add extends Merge {
        @Override public Kind kind() { return Kind.ADD; }

        @Override public Variable forward(List<Variable> inputs) {
            outputShape(inputs.stream().map(v -> Shape.of(v.shape())).toList());
            Variable y = inputs.get(0);
            for (int i = 1; i < inputs.size(); i++) y = y.add(inputs.get(i));
            return y;
        }

        @Override public Shape outputShape(List<Shape> inputs) {
            for (Shape s : inputs) {
                if (!s.equals(inputs.get(0))) throw new IllegalArgumentException("Add: inputs differ in shape: " + inputs);
            }
            return inputs.get(0);
        }

        @Override public String toString() { return "Add"; }
    }

    private static final class Concat extends Merge {
        @Override public Kind kind() { return Kind.CONCAT; }

        @Override public Variable forward(List<Variable> inputs) {
            outputShape(inputs.stream().map(v -> Shape.of(v.shape())).toList());
            return dev.lathe.autograd.Ops.concat(1, inputs.toArray(new Variable[0]));
        }

        @Override public Shape outputShape(List<Shape> inputs) {
            Shape first = inputs.get(0);
            if (first.rank() < 2) throw new IllegalArgumentException("Concat: inputs need a channel axis, got " + inputs);
            int channels = 0;
            for (Shape s : inputs) {
                boolean same = s.rank() == first.rank();
                for (int d = 0; same && d < s.rank(); d++) same = d == 1 || s.dim(d) == first.dim(d);
                if (!same) throw new IllegalArgumentException("Concat: inputs must agree in all but the channel axis: " + inputs);
                channels += s.dim(1);
            }
            int[] dims = new int[first.rank()];
            for (int d = 0; d < dims.length; d++) dims[d] = d == 1 ? channels : first.dim(d);
            return Shape.of(dims);
        }

        @Override public String toString() { return "Concat"; }
    }
}
