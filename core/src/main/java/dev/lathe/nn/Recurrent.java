package dev.lathe.nn;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Stacked recurrent layers over batch-first sequences [batch, steps, features]: Elman RNN (tanh),
 * LSTM or GRU, with dropout between layers. Parameters and gate orders follow PyTorch
 * ({@code weight_ih_l0} [gates x hidden, in], {@code weight_hh_l0}, {@code bias_ih_l0},
 * {@code bias_hh_l0}; LSTM gates i, f, g, o; GRU r, z, n), so state dicts carry over. Each step
 * computes all gates with one fused GEMM of the input and one of the hidden state (bias in the
 * GEMM epilogue), then slices them. Gradients flow through time by autograd (truncate by passing
 * {@link State#detach()} between chunks).
 */
public final class Recurrent extends Module {
    public enum Kind { RNN, LSTM, GRU }

    /** Hidden (and, for LSTM, cell) state per layer, each [batch, hidden]. */
    public record State(List<Variable> h, List<Variable> c) {
        /** The same values cut from the graph: the next chunk's gradients stop here (truncated backprop through time). */
        public State detach() {
            return new State(h.stream().map(v -> Variable.constant(v.data())).toList(), c == null ? null : c.stream().map(v -> Variable.constant(v.data())).toList());
        }
    }

    /** Outputs of the top layer per step [batch, steps, hidden] and the final state. */
    public record Output(Variable sequence, List<Variable> steps, State state) {}

    private final Kind kind;
    private final int input, hidden, layers, gates;
    private final double dropout;
    private final List<Variable[]> params = new ArrayList<>();
    private final Dropout[] drops;

    public Recurrent(Kind kind, int input, int hidden, int layers, double dropout) {
        String name = kind + "(" + input + "→" + hidden + ", " + layers + " layer" + (layers == 1 ? "" : "s") + ")";
        if (input < 1 || hidden < 1 || layers < 1) throw new IllegalArgumentException(name + ": sizes and layer count must be positive");
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException(name + ": dropout must be in [0, 1), got " + dropout);
        this.kind = kind;
        this.input = input;
        this.hidden = hidden;
        this.layers = layers;
        this.dropout = dropout;
        this.gates = switch (kind) { case RNN -> 1; case LSTM -> 4; case GRU -> 3; };
        this.drops = new Dropout[layers];
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? input : hidden;
            params.add(new Variable[] {
                registerParameter("weight_ih_l" + l, Tensor.zeros(gates * hidden, in)),
                registerParameter("weight_hh_l" + l, Tensor.zeros(gates * hidden, hidden)),
                registerParameter("bias_ih_l" + l, Tensor.zeros(gates * hidden)),
                registerParameter("bias_hh_l" + l, Tensor.zeros(gates * hidden))});
            if (l > 0 && dropout > 0) drops[l] = registerChild("dropout_l" + l, new Dropout(dropout));
        }
    }

    public Kind kind() { return kind; }

    public int hiddenSize() { return hidden; }

    public int layerCount() { return layers; }

    public int inputSize() { return input; }

    /** The four tensors of layer l: weight_ih, weight_hh, bias_ih, bias_hh. */
    public Variable[] layer(int l) { return params.get(l).clone(); }

    /** PyTorch's initialization: every weight and bias uniform in +-1/sqrt(hidden). */
    @Override public void resetParameters(Random rnd) {
        double k = 1 / Math.sqrt(hidden);
        for (Variable[] p : params) for (Variable v : p) v.data().assign(Tensor.uniform(rnd, -k, k, v.shape()));
        for (Dropout d : drops) if (d != null) d.resetParameters(rnd);
    }

    public State zeroState(int batch) {
        List<Variable> h = new ArrayList<>(), c = kind == Kind.LSTM ? new ArrayList<>() : null;
        for (int l = 0; l < layers; l++) {
            h.add(Variable.constant(Tensor.zeros(params.get(l)[0].dtype(), batch, hidden)));
            if (c != null) c.add(Variable.constant(Tensor.zeros(params.get(l)[0].dtype(), batch, hidden)));
        }
        return new State(h, c);
    }

    @Override public Variable forward(Variable x) { return run(x, null).sequence(); }

    /** Runs the sequence x [batch, steps, input] from {@code state} (zeros when null). */
    public Output run(Variable x, State state) {
        int[] s = x.shape();
        if (s.length != 3 || s[2] != input) throw new IllegalArgumentException(this + ": input must be [batch, steps, " + input + "], got " + java.util.Arrays.toString(s));
        List<Variable> steps = new ArrayList<>();
        for (int t = 0; t < s[1]; t++) steps.add(Ops.reshape(Ops.slice(x, 1, t, t + 1), s[0], input));
        return runSteps(steps, state);
    }

    /** Runs a sequence given as one [batch, input] variable per step (what an embedding lookup per step gives, with no slicing). */
    public Output runSteps(List<Variable> xs, State state) {
        if (xs.isEmpty()) throw new IllegalArgumentException(this + ": the sequence is empty");
        int batch = xs.get(0).shape()[0];
        State st = state == null ? zeroState(batch) : state;
        checkState(st, batch);
        List<Variable> h = new ArrayList<>(st.h()), c = st.c() == null ? null : new ArrayList<>(st.c());
        List<Variable> seq = xs;
        for (int l = 0; l < layers; l++) {
            Variable[] p = params.get(l);
            if (drops[l] != null) seq = seq.stream().map(drops[l]::forward).toList();
            List<Variable> out = new ArrayList<>(seq.size());
            Variable hl = h.get(l), cl = c == null ? null : c.get(l);
            for (Variable xt : seq) {
                Variable gx = Ops.linear(xt, p[0], p[2]), gh = Ops.linear(hl, p[1], p[3]);
                switch (kind) {
                    case RNN -> hl = gx.add(gh).tanh();
                    case LSTM -> {
                        Variable g = gx.add(gh);
                        Variable i = gate(g, 0).sigmoid(), f = gate(g, 1).sigmoid(), cand = gate(g, 2).tanh(), o = gate(g, 3).sigmoid();
                        cl = f.mul(cl).add(i.mul(cand));
                        hl = o.mul(cl.tanh());
                    }
                    case GRU -> {
                        Variable r = gate(gx, 0).add(gate(gh, 0)).sigmoid(), z = gate(gx, 1).add(gate(gh, 1)).sigmoid();
                        Variable n = gate(gx, 2).add(r.mul(gate(gh, 2))).tanh();
                        // h' = (1 - z) n + z h = n + z (h - n)
                        hl = n.add(z.mul(hl.sub(n)));
                    }
                }
                out.add(hl);
            }
            h.set(l, hl);
            if (c != null) c.set(l, cl);
            seq = out;
        }
        List<Variable> stacked = new ArrayList<>(seq.size());
        for (Variable v : seq) stacked.add(Ops.reshape(v, batch, 1, hidden));
        return new Output(Ops.concat(1, stacked.toArray(new Variable[0])), seq, new State(h, c));
    }

    private Variable gate(Variable g, int k) { return gates == 1 ? g : Ops.slice(g, 1, k * hidden, (k + 1) * hidden); }

    private void checkState(State st, int batch) {
        if (st.h().size() != layers || (kind == Kind.LSTM) != (st.c() != null) || (st.c() != null && st.c().size() != layers)) {
            throw new IllegalArgumentException(this + ": state must hold " + layers + " hidden" + (kind == Kind.LSTM ? " and cell" : "") + " tensors");
        }
        for (Variable v : st.h()) {
            if (v.shape().length != 2 || v.shape()[0] != batch || v.shape()[1] != hidden) {
                throw new IllegalArgumentException(this + ": state must be [" + batch + ", " + hidden + "] per layer, got " + java.util.Arrays.toString(v.shape()));
            }
        }
    }

    @Override public Shape outputShape(Shape in) {
        if (in.rank() != 3 || in.dim(2) != input) throw new IllegalArgumentException(this + ": input must be [batch, steps, " + input + "], got " + in);
        return Shape.of(in.dim(0), in.dim(1), hidden);
    }

    @Override public long macs(Shape in) {
        long perStep = 0;
        for (int l = 0; l < layers; l++) perStep += (long) gates * hidden * ((l == 0 ? input : hidden) + hidden);
        return perStep * Math.max(1, in.dim(1));
    }

    @Override public String toString() { return kind + "(" + input + "→" + hidden + ", " + layers + " layer" + (layers == 1 ? "" : "s") + (dropout > 0 ? ", dropout " + dropout : "") + ")"; }
}
