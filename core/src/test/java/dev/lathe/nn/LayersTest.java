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

    @Test void convAndPoolNameTheirShapeProblems() {
        Conv2d c = Conv2d.builder(3, 16, 5).same().build();
        assertThatThrownBy(() -> c.forward(Variable.constant(Tensor.zeros(2, 3, 32)))).hasMessageStartingWith("Conv2d(3→16, 5x5, pad 2): input must be [batch, channels, height, width], got [2, 3, 32]");
        assertThatThrownBy(() -> c.forward(Variable.constant(Tensor.zeros(2, 1, 32, 32)))).hasMessageContaining("input has 1 channels, expected 3");
        Conv2d big = new Conv2d(1, 1, 7);
        assertThatThrownBy(() -> big.outputShape(Shape.batchOf(1, 4, 4))).hasMessageContaining("kernel 7x7 is larger than the padded input 4x4");
        assertThatThrownBy(() -> Conv2d.builder(3, 16, 4).same().build()).hasMessageContaining("'same' padding needs stride 1 and an odd kernel");
        assertThatThrownBy(() -> Conv2d.builder(3, 16, 3).groups(2).build()).hasMessageContaining("groups 2 must divide in 3 and out 16");
        assertThatThrownBy(() -> Pool2d.max(3).outputShape(Shape.batchOf(1, 2, 2))).hasMessageContaining("window 3x3 is larger than the padded input 2x2");
        assertThatThrownBy(() -> new BatchNorm2d(4).forward(Variable.constant(Tensor.zeros(2, 3, 2, 2)))).hasMessageContaining("BatchNorm2d(4): input must be [batch, 4");
    }

    @Test void batchNormTracksRunningStatisticsAndUsesThemInEval() {
        BatchNorm2d bn = new BatchNorm2d(1, 1e-5, 1.0);  // momentum 1: running stats = last batch's
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 1, 2, 2);
        Tensor y = bn.forward(Variable.constant(x)).data();
        assertThat(y.sum().item()).isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-5));
        assertThat(bn.runningMean().item()).isCloseTo(4.5, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(bn.runningVar().item()).isCloseTo(6.0, org.assertj.core.api.Assertions.within(1e-5));  // unbiased: 42/7
        bn.eval();
        assertThat(bn.forward(Variable.constant(Tensor.full(dev.lathe.tensor.DType.FLOAT32, 4.5, 1, 1, 1, 1))).data().item()).isCloseTo(0.0, org.assertj.core.api.Assertions.within(1e-6));
        assertThat(bn.stateDict()).containsKeys("weight", "bias", "running_mean", "running_var");
    }

    @Test void classicCnnSummaryReproducesTheSlide() {
        String s = dev.lathe.models.Cnn.classic(0).summary(dev.lathe.models.Cnn.CLASSIC_INPUT);
        for (String row : new String[] {"[?, 3, 32, 32]", "[?, 16, 32, 32]", "[?, 16, 16, 16]", "[?, 32, 16, 16]", "[?, 32, 8, 8]", "[?, 2048]", "[?, 128]", "[?, 10]"}) {
            assertThat(s).contains(row);
        }
        for (String values : new String[] {"3,072", "16,384", "4,096", "8,192", "2,048", "128", "262,272", "1,290", "1,216", "12,832"}) assertThat(s).contains(values);
        assertThat(s).contains("Total params: 277,610", "MACs per sample: 4,769,024");
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
