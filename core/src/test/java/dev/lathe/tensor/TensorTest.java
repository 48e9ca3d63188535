package dev.lathe.tensor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class TensorTest {
    static Tensor range(int... shape) {
        Tensor t = Tensor.zeros(shape);
        float[] d = t.floatData();
        for (int i = 0; i < d.length; i++) d[i] = i;
        return t;
    }

    @Test void viewsShareStorage() {
        Tensor t = range(2, 3);
        Tensor tt = t.transpose(0, 1);
        assertThat(tt.shape()).containsExactly(3, 2);
        assertThat(tt.get(2, 1)).isEqualTo(5.0);
        assertThat(tt.isContiguous()).isFalse();
        t.set(42, 1, 2);
        assertThat(tt.get(2, 1)).isEqualTo(42.0);
        Tensor s = t.slice(1, 1, 3);
        assertThat(s.toFloatArray()).containsExactly(1, 2, 4, 42);
        assertThat(t.reshape(3, -1).shape()).containsExactly(3, 2);
        assertThat(tt.reshape(6).toFloatArray()).containsExactly(0, 3, 1, 4, 2, 42);
    }

    @Test void broadcastingBinaryOps() {
        Tensor a = range(2, 3);
        Tensor b = Tensor.of(new float[] {10, 20, 30}, 3);
        assertThat(a.add(b).toFloatArray()).containsExactly(10, 21, 32, 13, 24, 35);
        Tensor col = Tensor.of(new float[] {1, 2}, 2, 1);
        assertThat(a.mul(col).toFloatArray()).containsExactly(0, 1, 2, 6, 8, 10);
        assertThat(col.sub(b).shape()).containsExactly(2, 3);
        assertThat(a.div(Tensor.scalar(2)).toFloatArray()).containsExactly(0, 0.5f, 1, 1.5f, 2, 2.5f);
        assertThat(a.transpose(0, 1).add(Tensor.ones(3, 2)).toFloatArray()).containsExactly(1, 4, 2, 5, 3, 6);
    }

    @Test void broadcastErrorNamesBothShapes() {
        assertThatThrownBy(() -> range(2, 3).add(range(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("add: shapes [2, 3] and [2] do not broadcast");
    }

    @Test void reductions() {
        Tensor t = range(2, 3, 4);
        assertThat(t.sum().item()).isEqualTo(276.0);
        assertThat(t.sum(new int[] {0, 2}, false).toFloatArray()).containsExactly(60, 92, 124);
        assertThat(t.sum(new int[] {1}, true).shape()).containsExactly(2, 1, 4);
        assertThat(t.max(2, false).toFloatArray()).containsExactly(3, 7, 11, 15, 19, 23);
        assertThat(t.argmax(1)).containsExactly(2, 2, 2, 2, 2, 2, 2, 2);
        assertThat(t.transpose(0, 2).sum(new int[] {2}, false).toFloatArray()).containsExactly(12, 20, 28, 14, 22, 30, 16, 24, 32, 18, 26, 34);
        assertThat(range(2, 3).sumTo(1, 3).toFloatArray()).containsExactly(3, 5, 7);
    }

    @Test void matmulMatchesHandComputedAndBroadcastsBatches() {
        Tensor a = range(2, 3), b = range(3, 2);
        assertThat(a.matmul(b).toFloatArray()).containsExactly(10, 13, 28, 40);
        Tensor batch = range(4, 2, 3);
        Tensor r = batch.matmul(b);
        assertThat(r.shape()).containsExactly(4, 2, 2);
        assertThat(r.slice(0, 3, 4).reshape(2, 2).toFloatArray()).containsExactly(
                batch.slice(0, 3, 4).reshape(2, 3).matmul(b).toFloatArray());
        assertThat(Tensor.of(new float[] {1, 2, 3}, 3).matmul(Tensor.of(new float[] {4, 5, 6}, 3)).item()).isEqualTo(32.0);
        assertThatThrownBy(() -> a.matmul(a)).hasMessageContaining("inner dimensions 3 and 2 differ");
    }

    @Test void linearMatchesMatmulPlusBias() {
        Tensor x = range(3, 4), w = range(5, 4), b = Tensor.of(new float[] {1, -1, 2, -2, 0.5f}, 5);
        assertThat(Tensor.linear(x, w, b).toFloatArray()).containsExactly(x.matmul(w.transpose(0, 1)).add(b).toFloatArray());
        assertThat(Tensor.linear(x, w, null).toFloatArray()).containsExactly(x.matmul(w.transpose(0, 1)).toFloatArray());
        assertThatThrownBy(() -> Tensor.linear(x, range(5, 3), b)).hasMessageContaining("expected [rows, in], [out, in], [out]");
    }

    @Test void softmaxIsStableForLargeLogits() {
        Tensor z = Tensor.of(new float[] {1000, 1001, 1002}, 1, 3);
        Tensor p = z.softmax(1);
        assertThat(p.sum().item()).isCloseTo(1.0, within(1e-6));
        assertThat(p.get(0, 2)).isCloseTo(0.66524, within(1e-4));
        assertThat(z.logSoftmax(1).get(0, 0)).isCloseTo(-2.40761, within(1e-4));
    }

    @Test void concatJoinsAlongAxis() {
        Tensor c = Tensor.concat(1, range(2, 1), range(2, 2));
        assertThat(c.toFloatArray()).containsExactly(0, 0, 1, 1, 2, 3);
        assertThatThrownBy(() -> Tensor.concat(0, range(2, 1), range(2, 2))).hasMessageContaining("does not match");
    }

    @Test void float64Works() {
        Tensor d = Tensor.of(new double[] {1e-10, 2}, 2);
        assertThat(d.add(d).get(0)).isEqualTo(2e-10);
        assertThat(d.to(DType.FLOAT32).dtype()).isEqualTo(DType.FLOAT32);
        assertThat(d.mul(Tensor.of(new float[] {1, 1}, 2)).dtype()).isEqualTo(DType.FLOAT64);
    }

    @Test void badShapesAreRejected() {
        assertThatThrownBy(() -> Tensor.of(new float[5], 2, 3)).hasMessageContaining("needs 6 values, got 5");
        assertThatThrownBy(() -> range(2, 3).reshape(4, -1)).hasMessageContaining("cannot view 6 elements");
        assertThatThrownBy(() -> range(2, 3).permute(0, 0)).hasMessageContaining("repeated");
        assertThatThrownBy(() -> range(2, 3).slice(1, 2, 5)).hasMessageContaining("outside axis 1 of size 3");
        assertThatThrownBy(() -> range(2, 3).get(2, 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
