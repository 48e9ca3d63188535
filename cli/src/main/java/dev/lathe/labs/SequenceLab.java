package dev.lathe.labs;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Recurrent;
import dev.lathe.optim.Adam;
import dev.lathe.optim.GradClip;
import dev.lathe.plot.Charts;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;

/**
 * Sequence classification where the label is the first of {@code STEPS} random symbols: the answer
 * must be carried across the whole sequence. Many-to-one LSTM, GRU and plain tanh RNN (final
 * hidden state, then a linear layer), same size and training; accuracy on fresh sequences. Measured:
 * the gated layers with their memory gate biased open solve it; the plain RNN (vanishing gradients)
 * and the gated layers at PyTorch's default initialization stay at chance within the same budget.
 */
final class SequenceLab implements Lab {
    static final int STEPS = 30, SYMBOLS = 4, HIDDEN = 16;
    static final double GATE_BIAS = 2;

    @Override public String name() { return "sequence"; }

    @Override public String description() { return "many-to-one LSTM vs GRU vs plain RNN on sequences whose label is their first symbol (" + STEPS + " steps back)"; }

    record Data(Tensor x, int[] labels) {}

    /** One-hot sequences [n, STEPS, SYMBOLS]; the label is whether the first symbol is in the upper half. */
    static Data data(int n, Random rnd) {
        float[] x = new float[n * STEPS * SYMBOLS];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int t = 0; t < STEPS; t++) {
                int s = rnd.nextInt(SYMBOLS);
                x[(i * STEPS + t) * SYMBOLS + s] = 1f;
                if (t == 0) y[i] = s >= SYMBOLS / 2 ? 1 : 0;
            }
        }
        return new Data(Tensor.of(x, n, STEPS, SYMBOLS), y);
    }

    @Override public LabResult run(LabContext ctx) throws IOException {
        Random rnd = new Random(ctx.seed());
        Data test = data(1000, new Random(ctx.seed() + 1));
        int steps = ctx.size(2000, 800), batch = 32;
        LabResult r = new LabResult(name());
        XYChart c = Charts.xy("Label = first of " + STEPS + " symbols: training loss", "step", "cross-entropy");
        // LSTM and GRU twice: PyTorch's default initialization, and with the gate that keeps memory biased open
        // (forget gate +1, Jozefowicz et al. 2015; GRU update gate +1), so a memory starts out lasting
        Recurrent.Kind[] kinds = {Recurrent.Kind.LSTM, Recurrent.Kind.LSTM, Recurrent.Kind.GRU, Recurrent.Kind.GRU, Recurrent.Kind.RNN};
        boolean[] keepOpen = {false, true, false, true, false};
        for (int k = 0; k < kinds.length; k++) {
            Recurrent rnn = new Recurrent(kinds[k], SYMBOLS, HIDDEN, 1, 0);
            Linear head = new Linear(HIDDEN, 2);
            Random init = new Random(ctx.seed() + 10);
            rnn.resetParameters(init);
            head.resetParameters(init);
            if (keepOpen[k]) {
                // LSTM gates i, f, g, o: f is block 1; GRU gates r, z, n: z is block 1
                Tensor b = rnn.layer(0)[2].data();
                for (int j = HIDDEN; j < 2 * HIDDEN; j++) b.set(GATE_BIAS, j);
            }
            String label = kinds[k] + (keepOpen[k] ? (kinds[k] == Recurrent.Kind.LSTM ? " forget bias " : " update bias ") + (int) GATE_BIAS : "");
            List<Variable> params = new ArrayList<>(rnn.parameters());
            params.addAll(head.parameters());
            Adam opt = new Adam(params, 3e-3);
            double[] xs = new double[steps], losses = new double[steps];
            Random draw = new Random(ctx.seed() + 20);
            for (int s = 0; s < steps; s++) {
                Data d = data(batch, draw);
                opt.zeroGrad();
                Variable last = rnn.run(Variable.constant(d.x()), null).state().h().get(0);
                Variable loss = Ops.softmaxCrossEntropy(head.forward(last), d.labels());
                loss.backward();
                GradClip.byNorm(params, 5);
                opt.step();
                xs[s] = s + 1;
                losses[s] = loss.data().item();
            }
            double acc;
            try (GradMode.Scope g = GradMode.noGrad()) {
                Variable last = rnn.run(Variable.constant(test.x()), null).state().h().get(0);
                acc = dev.lathe.train.Metrics.correct(head.forward(last).data(), test.labels()) / (double) test.labels().length;
            }
            Charts.line(c, label, xs, smooth(losses)).setLineColor(Charts.palette(k));
            r.line(String.format(Locale.ROOT, "%-20s test accuracy %.3f after %d steps of batch %d (chance 0.5)", label, acc, steps, batch));
            r.number(label.toLowerCase(Locale.ROOT).replace(' ', '_') + "_test_accuracy", acc);
        }
        r.file(Charts.save(c, ctx.file(name(), "loss.png")));
        return r;
    }

    private static double[] smooth(double[] v) {
        double[] out = new double[v.length];
        double m = v[0];
        for (int i = 0; i < v.length; i++) out[i] = m = 0.9 * m + 0.1 * v[i];
        return out;
    }
}
