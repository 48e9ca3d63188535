package dev.lathe.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** First steps of each optimizer against values worked out by hand (w = 1, constant gradient 0.5). */
class OptimizerTest {
    /** Runs {@code steps} updates with gradient 0.5 on a single weight starting at 1; returns w after each. */
    static double[] run(Function<List<Variable>, Optimizer> make, int steps) {
        Variable w = Variable.parameter(Tensor.of(new float[] {1f}, 1));
        Optimizer opt = make.apply(List.of(w));
        double[] out = new double[steps];
        for (int s = 0; s < steps; s++) {
            opt.zeroGrad();
            w.mul(Variable.constant(Tensor.of(new float[] {0.5f}, 1))).sum().backward();  // d/dw = 0.5
            opt.step();
            out[s] = w.data().item();
        }
        return out;
    }

    @Test void sgd() {
        assertThat(run(p -> new Sgd(p, 0.1), 2)).containsExactly(new double[] {0.95, 0.90}, within(1e-6));
        assertThat(run(p -> new Sgd(p, 0.1, 0, false, 0.1), 1)[0]).isCloseTo(0.94, within(1e-6));
    }

    @Test void momentumAndNesterov() {
        assertThat(run(p -> new Sgd(p, 0.1, 0.9, false, 0), 2)).containsExactly(new double[] {0.95, 0.855}, within(1e-6));
        assertThat(run(p -> new Sgd(p, 0.1, 0.9, true, 0), 2)).containsExactly(new double[] {0.905, 0.7695}, within(1e-6));
    }

    @Test void adamMovesByLrUnderAConstantGradient() {
        assertThat(run(p -> new Adam(p, 0.1), 3)).containsExactly(new double[] {0.9, 0.8, 0.7}, within(1e-5));
    }

    @Test void adamWDecouplesDecayAndAdamAddsItToTheGradient() {
        assertThat(run(p -> new Adam(p, 0.1, 0.9, 0.999, 1e-8, 0.1, true), 1)[0]).isCloseTo(0.89, within(1e-6));
        assertThat(run(p -> new Adam(p, 0.1, 0.9, 0.999, 1e-8, 0.1, false), 1)[0]).isCloseTo(0.9, within(1e-6));
    }

    @Test void rmsProp() {
        assertThat(run(p -> new RmsProp(p, 0.01), 2)).containsExactly(new double[] {0.9, 0.829112}, within(1e-5));
    }

    @Test void namedOptimizersAndBadSettings() {
        Variable w = Variable.parameter(Tensor.zeros(2));
        for (String n : new String[] {"sgd", "momentum", "nesterov", "adam", "adamw", "rmsprop"}) {
            assertThat(Optimizer.named(n, List.of(w), 0.1, 0)).isNotNull();
        }
        assertThatThrownBy(() -> Optimizer.named("lbfgs", List.of(w), 0.1, 0)).hasMessageContaining("unknown optimizer 'lbfgs'");
        assertThatThrownBy(() -> new Sgd(List.of(w), -1)).hasMessageContaining("learning rate must be positive");
        assertThatThrownBy(() -> new Sgd(List.of(w), 0.1, 1.0, false, 0)).hasMessageContaining("momentum must be in [0, 1)");
        assertThatThrownBy(() -> new Adam(List.of(), 0.1)).hasMessageContaining("no parameters");
    }

    @Test void schedules() {
        assertThat(LrSchedule.step(2, 0.5).rate(1, 3.7)).isEqualTo(0.5);
        assertThat(LrSchedule.exponential(0.9).rate(1, 2.2)).isCloseTo(0.81, within(1e-12));
        LrSchedule cos = LrSchedule.cosine(4, 0);
        assertThat(cos.rate(1, 0)).isEqualTo(1.0);
        assertThat(cos.rate(1, 2)).isCloseTo(0.5, within(1e-12));
        assertThat(cos.rate(1, 4)).isEqualTo(0.0);
        assertThatThrownBy(() -> LrSchedule.named("warp", 3)).hasMessageContaining("unknown schedule");
    }

    @Test void clipByNormScalesAllGradientsTogether() {
        Variable a = Variable.parameter(Tensor.zeros(1)), b = Variable.parameter(Tensor.zeros(1));
        a.mul(Variable.constant(Tensor.of(new float[] {3f}, 1))).add(b.mul(Variable.constant(Tensor.of(new float[] {4f}, 1)))).sum().backward();
        double norm = GradClip.byNorm(List.of(a, b), 1.0);
        assertThat(norm).isCloseTo(5.0, within(1e-6));
        assertThat(a.grad().item()).isCloseTo(0.6, within(1e-5));
        assertThat(b.grad().item()).isCloseTo(0.8, within(1e-5));
    }
}
