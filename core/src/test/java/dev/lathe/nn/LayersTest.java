package dev.lathe.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.autograd.Variable;
import dev.lathe.models.Mlp;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LayersTest {
    @Test void linearNamesItsShapeOnBadInput() {
        Linear fc = new Linear(256, 128);
        assertThatThrownBy(() -> fc.forward(Variable.constant(Tensor.zeros(8, 300))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Linear(256→128): input has 300 features");
        assertThatThrownBy(() -> new Linear(0, 3)).hasMessageContaining("sizes must be positive");
    }

    @Test void dropoutDropsAboutPAndRescalesSurvivors() {
        Dropout d = new Dropout(0.5);
        d.resetParameters(new Random(1));
        Tensor y = d.forward(Variable.constant(Tensor.ones(100, 100))).data();
        float[] v = y.toFloatArray();
        int zeros = 0;
        for (float f : v) {
            assertThat(f).isIn(0f, 2f);
            if (f == 0f) zeros++;
        }
        assertThat(zeros).isBetween(4700, 5300);
        d.eval();
        assertThat(d.forward(Variable.constant(Tensor.ones(3, 3))).data().toFloatArray()).containsOnly(1f);
        assertThatThrownBy(() -> new Dropout(1.0)).hasMessageContaining("[0, 1)");
    }

    @Test void sameSeedSameWeights() {
        Sequential a = Mlp.of(784, new int[] {32}, 10, "relu", 0.1, 42);
        Sequential b = Mlp.of(784, new int[] {32}, 10, "relu", 0.1, 42);
        Sequential c = Mlp.of(784, new int[] {32}, 10, "relu", 0.1, 43);
        assertThat(b.stateDict().get("1.weight").toFloatArray()).containsExactly(a.stateDict().get("1.weight").toFloatArray());
        assertThat(c.stateDict().get("1.weight").toFloatArray()).isNotEqualTo(a.stateDict().get("1.weight").toFloatArray());
    }

    @Test void summaryCountsParametersAndMacs() {
        Sequential m = Mlp.of(784, new int[] {256, 128}, 10, "relu", 0, 0);
        String s = m.summary(Shape.batchOf(1, 28, 28));
        assertThat(s).contains("Linear(784→256)", "200,960", "Total params: 235,146", "MACs per sample: 234,752");
        assertThat(m.parameterCount()).isEqualTo(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
    }

    @Test void loadStateDictRejectsMissingAndMisshapen() {
        Sequential m = new Sequential(new Linear(3, 2));
        var state = m.stateDict();
        state.put("0.weight", Tensor.zeros(3, 3));
        assertThatThrownBy(() -> m.loadStateDict(state)).hasMessageContaining("'0.weight' has shape [3, 3], model expects [2, 3]");
        state.remove("0.weight");
        assertThatThrownBy(() -> m.loadStateDict(state)).hasMessageContaining("missing parameter '0.weight'");
    }
}
