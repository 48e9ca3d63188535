package dev.lathe.models;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.data.CharCorpus;
import dev.lathe.nn.Embedding;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Module;
import dev.lathe.nn.Recurrent;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A character-level language model: embedding, stacked recurrent layers (LSTM by default), and a
 * linear layer to one logit per character of the vocabulary. Trains on contiguous batches with
 * the state carried over (truncated backprop through time) and samples text from a prime.
 */
public final class CharModel extends Module {
    private final char[] vocab;
    private final Embedding embed;
    private final Recurrent rnn;
    private final Linear head;

    public CharModel(char[] vocab, Recurrent.Kind kind, int embedDim, int hidden, int layers, double dropout, long seed) {
        if (vocab.length < 2) throw new IllegalArgumentException("CharModel: the vocabulary needs at least 2 characters");
        this.vocab = vocab.clone();
        this.embed = registerChild("embedding", new Embedding(vocab.length, embedDim));
        this.rnn = registerChild("rnn", new Recurrent(kind, embedDim, hidden, layers, dropout));
        this.head = registerChild("head", new Linear(hidden, vocab.length, true, dev.lathe.nn.Init.xavierUniform()));
        resetParameters(new Random(seed));
    }

    public char[] vocabulary() { return vocab.clone(); }

    public Recurrent recurrent() { return rnn; }

    public Embedding embedding() { return embed; }

    /** The dense layer from the last hidden state to one logit per character. */
    public Linear head() { return head; }

    /**
     * The logits of one sequence run from a zero state, without gradients: row t (of {@code tokens.length}
     * rows of the vocabulary's size) follows token t. What an int8 model is calibrated and compared on.
     */
    public float[] logits(int[] tokens) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            return run(tokens, 1, tokens.length, null).logits().data().toFloatArray();
        }
    }

    /** Logits [batch * steps, vocab] (row-major by batch, then step) and the state after the last step. */
    public record Step(Variable logits, Recurrent.State state) {}

    public Step run(int[] tokens, int batch, int steps, Recurrent.State state) {
        if (tokens.length != batch * steps) throw new IllegalArgumentException("CharModel: " + tokens.length + " tokens for a [" + batch + ", " + steps + "] batch");
        List<Variable> xs = new ArrayList<>(steps);
        int[] col = new int[batch];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < batch; b++) col[b] = tokens[b * steps + t];
            xs.add(embed.lookup(col.clone()));
        }
        Recurrent.Output o = rnn.runSteps(xs, state);
        Variable flat = Ops.reshape(o.sequence(), batch * steps, rnn.hiddenSize());
        return new Step(Ops.linear(flat, head.weight(), head.bias()), o.state());
    }

    @Override public Variable forward(Variable x) {
        int[] s = x.shape();
        if (s.length != 2) throw new IllegalArgumentException("CharModel: input must be [batch, steps] token ids, got " + java.util.Arrays.toString(s));
        return run(Embedding.tokenIds(x.data(), this), s[0], s[1], null).logits();
    }

    @Override public Shape outputShape(Shape input) { return Shape.of(input.dim(0) < 0 || input.dim(1) < 0 ? Shape.ANY : input.dim(0) * input.dim(1), vocab.length); }

    @Override public long macs(Shape input) {
        return rnn.macs(Shape.of(input.dim(0), input.dim(1), embed.dim())) + (long) Math.max(1, input.dim(1)) * rnn.hiddenSize() * vocab.length;
    }

    /**
     * Text continuing {@code prime}: the prime is run through the network, then each next character
     * is drawn from softmax(logits / temperature), restricted to the {@code topK} likeliest (0 = all).
     */
    public String generate(String prime, int length, double temperature, int topK, Random rnd) {
        if (prime.isEmpty()) throw new IllegalArgumentException("generate: the prime must not be empty");
        if (!(temperature > 0)) throw new IllegalArgumentException("generate: temperature must be > 0, got " + temperature);
        if (length < 0) throw new IllegalArgumentException("generate: length must be >= 0, got " + length);
        int[] ids = CharCorpus.encode(prime, vocab);
        boolean was = isTraining();
        eval();
        StringBuilder out = new StringBuilder(prime);
        try (GradMode.Scope s = GradMode.noGrad()) {
            Step st = run(ids, 1, ids.length, null);
            float[] last = lastRow(st.logits());
            Recurrent.State state = st.state();
            for (int i = 0; i < length; i++) {
                int next = sample(last, temperature, topK, rnd);
                out.append(vocab[next]);
                st = run(new int[] {next}, 1, 1, state);
                state = st.state();
                last = lastRow(st.logits());
            }
        } finally {
            if (was) train();
        }
        return out.toString();
    }

    private static float[] lastRow(Variable logits) {
        Tensor t = logits.data();
        int rows = t.size(0), v = t.size(1);
        return java.util.Arrays.copyOfRange(t.toFloatArray(), (rows - 1) * v, rows * v);
    }

    static int sample(float[] logits, double temperature, int topK, Random rnd) {
        int v = logits.length;
        double cutoff = Double.NEGATIVE_INFINITY;
        if (topK > 0 && topK < v) {
            float[] sorted = logits.clone();
            java.util.Arrays.sort(sorted);
            cutoff = sorted[v - topK];
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double[] p = new double[v];
        double sum = 0;
        for (int i = 0; i < v; i++) {
            p[i] = logits[i] < cutoff ? 0 : Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        double u = rnd.nextDouble() * sum;
        for (int i = 0; i < v; i++) {
            u -= p[i];
            if (u <= 0 && p[i] > 0) return i;
        }
        for (int i = v - 1; i >= 0; i--) if (p[i] > 0) return i;
        return 0;
    }

    @Override public String toString() { return "CharModel(" + vocab.length + " chars, " + rnn + ")"; }
}
