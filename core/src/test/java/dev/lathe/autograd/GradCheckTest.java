package dev.lathe.autograd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import org.junit.jupiter.api.Test;

class GradCheckTest {
    /** A deliberately wrong rule (d(x^2)/dx claimed to be x) must be caught. */
    @Test void detectsAWrongBackwardRule() {
        GradCheck.Result r = GradCheck.check(v -> {
            Variable x = v[0];
            return Variable.result("bad_square", x.data().mul(x.data()), g -> x.accumulate(g.mul(x.data())), x);
        }, Tensor.of(new double[] {0.5, -1.5, 2.0}, 3));
        assertThat(r.passed()).isFalse();
    }

    @Test void backwardAccumulatesIntoLeaves() {
        Variable w = Variable.parameter(Tensor.of(new float[] {2f, -3f}, 2));
        w.mul(w).sum().backward();
        assertThat(w.grad().toFloatArray()).containsExactly(4f, -6f);
        w.mul(w).sum().backward();
        assertThat(w.grad().toFloatArray()).containsExactly(8f, -12f);
    }

    @Test void noGradRecordsNothing() {
        Variable w = Variable.parameter(Tensor.of(new float[] {1f}, 1));
        Variable y;
        try (GradMode.Scope s = GradMode.noGrad()) {
            y = w.mul(w);
        }
        assertThat(y.requiresGrad()).isFalse();
        assertThat(GradMode.isEnabled()).isTrue();
        assertThatThrownBy(y::backward).hasMessageContaining("does not depend on any parameter");
    }

    @Test void backwardNeedsAScalarOrASeed() {
        Variable w = Variable.parameter(Tensor.zeros(DType.FLOAT32, 2, 2));
        assertThatThrownBy(() -> w.mul(w).backward()).hasMessageContaining("shape [2, 2]");
    }

    @Test void deepChainDoesNotOverflowTheStack() {
        Variable x = Variable.parameter(Tensor.of(new float[] {1f}, 1));
        Variable y = x;
        for (int i = 0; i < 20_000; i++) y = y.mul(1.0);
        y.sum().backward();
        assertThat(x.grad().toFloatArray()).containsExactly(1f);
    }
}
