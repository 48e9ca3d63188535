package dev.lathe.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.autograd.GradCheck;
import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/** Gradients through time (multi-layer, state carried in), PyTorch-equal cell equations, shapes and errors. */
class RecurrentTest {
    static Tensor random(Random r, int... shape) { return Tensor.uniform(r, -1, 1, shape).to(DType.FLOAT64); }

    @ParameterizedTest @EnumSource(Recurrent.Kind.class)
    void gradientsThroughTimeMatchFiniteDifferences(Recurrent.Kind kind) {
        Recurrent rnn = new Recurrent(kind, 3, 4, 2, 0);
        rnn.resetParameters(new Random(1));
        rnn.to(DType.FLOAT64);
        Random r = new Random(2);
        Variable x = Variable.parameter(random(r, 2, 3, 3));
        List<Variable> h = new ArrayList<>(), c = kind == Recurrent.Kind.LSTM ? new ArrayList<>() : null;
        for (int l = 0; l < 2; l++) {
            h.add(Variable.parameter(random(r, 2, 4)));
            if (c != null) c.add(Variable.parameter(random(r, 2, 4)));
        }
        Recurrent.State s0 = new Recurrent.State(h, c);
        List<Variable> leaves = new ArrayList<>(List.of(x));
        leaves.addAll(rnn.parameters());
        leaves.addAll(h);
        if (c != null) leaves.addAll(c);
        // the loss reads every step's output and the final state, so every path through time is checked
        GradCheck.Result res = GradCheck.check(() -> {
            Recurrent.Output o = rnn.run(x, s0);
            Variable y = o.sequence().sum().add(o.state().h().get(1).mul(o.state().h().get(0)).sum());
            return o.state().c() == null ? y : y.add(o.state().c().get(1).sum());
        }, leaves);
        assertThat(res.passed()).as(res.toString()).isTrue();
    }

    /** One LSTM step by hand with PyTorch's equations and gate order (i, f, g, o). */
    @Test void lstmStepFollowsPyTorchsEquations() {
        Recurrent lstm = new Recurrent(Recurrent.Kind.LSTM, 2, 3, 1, 0);
        lstm.resetParameters(new Random(3));
        Tensor x = Tensor.of(new float[] {0.5f, -1f}, 1, 1, 2);
        Recurrent.Output o = lstm.run(Variable.constant(x), null);
        Variable[] p = lstm.layer(0);
        float[] wi = p[0].data().toFloatArray(), bi = p[2].data().toFloatArray(), bh = p[3].data().toFloatArray();
        double[] g = new double[12];
        for (int k = 0; k < 12; k++) g[k] = wi[k * 2] * 0.5 - wi[k * 2 + 1] + bi[k] + bh[k];
        for (int j = 0; j < 3; j++) {
            double i = sig(g[j]), gg = Math.tanh(g[6 + j]), oo = sig(g[9 + j]);
            double cell = i * gg;  // f * c0 with c0 = 0
            assertThat((double) o.state().c().get(0).data().toFloatArray()[j]).isCloseTo(cell, org.assertj.core.data.Offset.offset(1e-6));
            assertThat((double) o.sequence().data().toFloatArray()[j]).isCloseTo(oo * Math.tanh(cell), org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    static double sig(double v) { return 1 / (1 + Math.exp(-v)); }

    @Test void shapesNamesAndBadInput() {
        Recurrent gru = new Recurrent(Recurrent.Kind.GRU, 5, 7, 3, 0.2);
        gru.resetParameters(new Random(4));
        Variable y = gru.forward(Variable.constant(Tensor.zeros(2, 6, 5)));
        assertThat(y.shape()).containsExactly(2, 6, 7);
        assertThat(gru.namedParameters().keySet()).contains("weight_ih_l0", "weight_hh_l2", "bias_ih_l1", "bias_hh_l1");
        assertThat(gru.namedParameters().get("weight_ih_l1").shape()).containsExactly(21, 7);
        assertThatThrownBy(() -> gru.forward(Variable.constant(Tensor.zeros(2, 6, 4)))).hasMessageContaining("GRU(5→7, 3 layers, dropout 0.2): input must be [batch, steps, 5]");
        assertThatThrownBy(() -> gru.run(Variable.constant(Tensor.zeros(2, 6, 5)), new Recurrent(Recurrent.Kind.GRU, 5, 7, 2, 0).zeroState(2))).hasMessageContaining("state must hold 3 hidden");
        assertThatThrownBy(() -> new Recurrent(Recurrent.Kind.LSTM, 5, 0, 1, 0)).hasMessageContaining("sizes and layer count must be positive");
    }

    @Test void embeddingGradientAddsRowsOfRepeatedTokens() {
        Embedding e = new Embedding(5, 3);
        e.resetParameters(new Random(5));
        e.to(DType.FLOAT64);
        GradCheck.Result r = GradCheck.check(() -> Ops.embedding(e.weight(), new int[] {1, 4, 1}), List.of(e.weight()));
        assertThat(r.passed()).as(r.toString()).isTrue();
        assertThatThrownBy(() -> Ops.embedding(e.weight(), new int[] {5})).hasMessageContaining("index 5 at position 0 outside [0, 5)");
    }
}
