package dev.lathe.runtime;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.nn.Embedding;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Recurrent;
import org.junit.jupiter.api.Test;

/**
 * The integer char model takes a char model's layers one by one (so the runtime needs nothing from
 * models); layers that cannot be one model are refused with their sizes. Its bit-exactness against the
 * generated C is CExportTest's.
 */
class QuantizedCharModelTest {
    private static final Recurrent LSTM = new Recurrent(Recurrent.Kind.LSTM, 6, 16, 2, 0);

    @Test void layersThatAreNotOneModelAreNamed() {
        float[] logits = new float[7 * 3];
        assertThatThrownBy(() -> new QuantizedCharModel(new Embedding(7, 6), LSTM, new Linear(16, 8), logits))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("head 16 -> 8").hasMessageContaining("not one char model");
        assertThatThrownBy(() -> new QuantizedCharModel(new Embedding(7, 5), LSTM, new Linear(16, 7), logits))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("embedding 7x5, recurrent 6 -> 16");
    }

    @Test void calibrationLogitsMustBeWholeRows() {
        assertThatThrownBy(() -> new QuantizedCharModel(new Embedding(7, 6), LSTM, new Linear(16, 7), new float[10]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10 calibration logits are not whole rows of 7");
        assertThatThrownBy(() -> new QuantizedCharModel(new Embedding(7, 6), LSTM, new Linear(16, 7), new float[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0 calibration logits");
    }
}
