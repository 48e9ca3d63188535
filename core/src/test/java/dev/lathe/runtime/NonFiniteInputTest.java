package dev.lathe.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.models.Cnn;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Module;
import dev.lathe.tensor.Shape;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The runtime's one behaviour for NaN and infinite inputs (documented on {@link dev.lathe.predict.Predictor}): no check
 * and no exception, the values propagate through the arithmetic (a dense layer spreads one NaN to every
 * output), and the session is not poisoned — the next finite input gives the same bits as before.
 */
class NonFiniteInputTest {
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlp", "cnn"})
    void nonFiniteValuesPropagateAndTheSessionRecovers(String name) {
        Module m = (name.equals("mlp") ? Mlp.of(784, new int[] {64}, 10, "relu", 0, 1) : Cnn.fashion(1)).eval();
        Session s = InferencePlan.freeze(m, Shape.batchOf(1, 28, 28)).session(2);
        Random r = new Random(2);
        float[] x = new float[784], before = new float[10], y = new float[10], after = new float[10];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        s.predict(x, before);
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            float[] poisoned = x.clone();
            poisoned[400] = bad;
            s.predict(poisoned, y);
            // one non-finite pixel reaches every logit through the dense layers: none of them is a finite number
            for (float v : y) assertThat(Float.isFinite(v)).as("%s input, output %s", bad, Arrays.toString(y)).isFalse();
            s.predict(x, after);
            assertThat(after).as("after a %s input", bad).isEqualTo(before);
        }
    }
}
