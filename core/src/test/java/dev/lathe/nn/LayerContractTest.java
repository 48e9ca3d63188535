package dev.lathe.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.autograd.GradCheck;
import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.optim.Sgd;
import dev.lathe.tensor.DType;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One contract for every layer: shapes, gradients, state round trip, and a training step. */
class LayerContractTest {
    static Stream<LayerCases.Case> layers() { return LayerCases.all(); }

    static Tensor input(int[] shape, long seed) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        Tensor f = t.reshape(-1);
        // away from 0 so ReLU kinks are not straddled by finite differences
        for (int i = 0; i < f.numel(); i++) {
            double v = r.nextDouble() * 2 - 1;
            f.set(v >= 0 ? v + 0.05 : v - 0.05, i);
        }
        return t;
    }

    @ParameterizedTest @MethodSource("layers")
    void outputShapeMatchesForward(LayerCases.Case c) {
        Module m = c.make().get();
        Variable y = m.forward(Variable.constant(input(c.inputShape(), 1).to(DType.FLOAT32)));
        int[] in = c.inputShape().clone();
        Shape expected = m.outputShape(Shape.of(in));
        assertThat(y.shape()).containsExactly(expected.dims());
        int[] batchless = in.clone();
        batchless[0] = Shape.ANY;
        assertThat(m.outputShape(Shape.of(batchless)).dim(0)).isEqualTo(Shape.ANY);
    }

    @ParameterizedTest @MethodSource("layers")
    void gradientsMatchFiniteDifferences(LayerCases.Case c) {
        Module m = c.make().get();
        m.resetParameters(new Random(3));
        // non-zero biases: with zero ones, a ReLU fed only by zeros sits exactly on its kink, where finite differences straddle it
        Random b = new Random(4);
        m.namedParameters().forEach((k, v) -> {
            if (k.endsWith("bias")) v.data().assign(Tensor.uniform(b, -0.5, 0.5, v.shape()));
        });
        m.to(DType.FLOAT64);
        Variable x = Variable.parameter(input(c.inputShape(), 2));
        List<Variable> leaves = new ArrayList<>();
        leaves.add(x);
        leaves.addAll(m.parameters());
        GradCheck.Result r = GradCheck.check(() -> m.forward(x), leaves);
        assertThat(r.passed()).as(r.toString()).isTrue();
    }

    @ParameterizedTest @MethodSource("layers")
    void stateDictRoundTripReproducesOutputs(LayerCases.Case c) {
        Module a = c.make().get(), b = c.make().get();
        a.resetParameters(new Random(4));
        b.resetParameters(new Random(5));
        b.loadStateDict(a.stateDict());
        Tensor x = input(c.inputShape(), 6).to(DType.FLOAT32);
        assertThat(b.forward(Variable.constant(x)).data().toFloatArray()).containsExactly(a.forward(Variable.constant(x)).data().toFloatArray());
        Map<String, Tensor> state = a.stateDict();
        java.util.Set<String> expected = new java.util.LinkedHashSet<>(a.namedParameters().keySet());
        expected.addAll(a.namedBuffers().keySet());
        assertThat(state.keySet()).isEqualTo(expected);
    }

    /** Past autograd: the layer freezes into the runtime IR and a batch-1 session computes what its forward does, sample by sample. */
    @ParameterizedTest @MethodSource("layers")
    void frozenSessionComputesTheForward(LayerCases.Case c) {
        Module m = c.make().get();
        m.resetParameters(new Random(9));
        m.eval();
        int[] in = c.inputShape();
        int[] sample = in.clone();
        sample[0] = Shape.ANY;
        if (LayerCases.NOT_IN_THE_RUNTIME.contains(c.name())) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> dev.lathe.runtime.InferencePlan.freeze(m, Shape.of(sample))).hasMessageContaining("no inference op");
            return;
        }
        dev.lathe.runtime.Session s = dev.lathe.runtime.InferencePlan.freeze(m, Shape.of(sample)).session();
        Tensor x = input(in, 10).to(DType.FLOAT32);
        float[] all = x.toFloatArray(), expected = m.forward(Variable.constant(x)).data().toFloatArray();
        int per = all.length / in[0], outPer = expected.length / in[0];
        for (int n = 0; n < in[0]; n++) {
            float[] got = s.predict(java.util.Arrays.copyOfRange(all, n * per, (n + 1) * per));
            assertThat(got).as("sample " + n).usingComparatorWithPrecision(1e-4f).containsExactly(java.util.Arrays.copyOfRange(expected, n * outPer, (n + 1) * outPer));
        }
    }

    @ParameterizedTest @MethodSource("layers")
    void oneTrainingStepLowersALoss(LayerCases.Case c) {
        Module m = c.make().get();
        m.resetParameters(new Random(7));
        if (m.parameters().isEmpty()) return;  // nothing to train in parameter-free layers
        Tensor x = input(c.inputShape(), 8).to(DType.FLOAT32);
        Variable target = Variable.constant(Tensor.zeros(m.forward(Variable.constant(x)).shape()).add(0.3));
        Sgd opt = new Sgd(m.parameters(), 0.01);
        Variable loss = Ops.mse(m.forward(Variable.constant(x)), target);
        double before = loss.data().item();
        loss.backward();
        opt.step();
        double after = Ops.mse(m.forward(Variable.constant(x)), target).data().item();
        assertThat(after).isLessThan(before);
    }
}
