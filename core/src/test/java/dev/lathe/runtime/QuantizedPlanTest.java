package dev.lathe.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.kernels.ConvGeometry;
import dev.lathe.kernels.Int8;
import dev.lathe.kernels.Int8Reference;
import dev.lathe.models.Cnn;
import dev.lathe.models.Mlp;
import dev.lathe.models.Zoo;
import dev.lathe.nn.Activation;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Module;
import dev.lathe.nn.Sequential;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizedPlanTest {
    @Test void quantizeDequantizeErrorIsAtMostHalfAStepInsideTheRange() {
        QuantizedPlan.QParams p = QuantizedPlan.QParams.of(-1.3, 2.9);
        assertThat(p.dequantize(p.quantize(0f))).isZero();  // zero is exact (padding, ReLU)
        Random r = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            float x = (float) (-1.3 + 4.2 * r.nextDouble());
            assertThat((double) Math.abs(p.dequantize(p.quantize(x)) - x)).isLessThanOrEqualTo(p.scale() / 2 + 1e-6);
        }
        assertThat(p.quantize(100f)).isEqualTo((byte) 127);  // outside: saturates
        assertThat(p.quantize(-100f)).isEqualTo((byte) -128);
    }

    /** A conv + ReLU step of the session equals the naive integer convolution, bias and requantization, byte for byte. */
    @Test void sessionConvStepEqualsTheIntegerReference() {
        Sequential m = new Sequential(Conv2d.builder(3, 5, 3).padding(1).build(), Activation.relu());
        m.resetParameters(new Random(2));
        InferencePlanTest.randomStatistics(m, 3);
        InferencePlan plan = InferencePlan.freeze(m, Shape.batchOf(3, 6, 6));
        QuantizedPlan q = QuantizedPlan.quantize(plan, Tensor.normal(new Random(4), 0, 1, 20, 3, 6, 6), QuantizedPlan.Calibration.MINMAX);
        QuantizedSession s = q.session();
        float[] x = Tensor.normal(new Random(5), 0, 1, 1, 3, 6, 6).toFloatArray();
        s.predict(x);
        QStep.Conv st = (QStep.Conv) q.steps().get(0);
        QStep.Weights w = st.weights();
        byte[] xq = new byte[x.length];
        for (int i = 0; i < x.length; i++) xq[i] = q.inputParams().quantize(x[i]);
        ConvGeometry g = st.geometry();
        int[] acc = Int8Reference.conv(g, xq, 0, st.in().zeroPoint(), w.q());
        byte[] want = new byte[acc.length];
        for (int o = 0; o < g.o(); o++) {
            for (int j = 0; j < g.oh() * g.ow(); j++) {
                int i = o * g.oh() * g.ow() + j;
                want[i] = (byte) Int8.requantize(acc[i] + w.bias()[o], w.m0()[o], w.shift()[o], st.out().zeroPoint(), w.lo(), w.hi());
            }
        }
        assertThat(s.lastOutputQuantized()).containsExactly(want);
    }

    /** The int8 session shares the fp32 one's executor: the same input check and profile (its warm-up: WarmUpAllocationTest). */
    @Test void theInt8SessionChecksAndProfilesLikeTheFloatOne() {
        Module m = Cnn.fashion(1);
        InferencePlan plan = InferencePlan.freeze(m, Cnn.FASHION_INPUT);
        QuantizedSession s = QuantizedPlan.quantize(plan, Tensor.normal(new Random(2), 0, 1, 10, 1, 28, 28), QuantizedPlan.Calibration.MINMAX).session(1);
        assertThatThrownBy(() -> s.predict(new float[7])).hasMessageContaining("input has 7 values, the model takes 784");
        double[] ms = s.profile(new float[784], 3);
        assertThat(ms).hasSize(s.plan().steps().size());
        assertThat(java.util.Arrays.stream(ms).min().orElseThrow()).isGreaterThanOrEqualTo(0);
    }

    /** The int8 model follows the float one: outputs within a few output steps, same class on most inputs. */
    @Test void int8OutputsTrackTheFloatModel() {
        for (Module m : new Module[] {Mlp.of(784, new int[] {64, 32}, 10, "relu", "he", 0, 1), Cnn.fashion(2)}) {
            InferencePlan plan = InferencePlan.freeze(m, Cnn.FASHION_INPUT);
            QuantizedPlan q = QuantizedPlan.quantize(plan, Tensor.normal(new Random(6), 0, 1, 200, 1, 28, 28), QuantizedPlan.Calibration.PERCENTILE);
            Session f = plan.session(1);
            QuantizedSession s = q.session();
            int same = 0;
            for (int k = 0; k < 50; k++) {
                float[] x = Tensor.normal(new Random(100 + k), 0, 1, 1, 1, 28, 28).toFloatArray();
                float[] a = f.predict(x), b = s.predict(x);
                assertThat(cosine(a, b)).as("%s cosine", m).isGreaterThan(0.98);
                if (QuantizedPlanTest.argmax(a) == QuantizedPlanTest.argmax(b)) same++;
            }
            assertThat(same).as("%s same class", m).isGreaterThanOrEqualTo(45);
            assertThat(q.int8WeightBytes() * 3.5).isLessThan(q.floatWeightBytes());
        }
    }

    /** Depthwise convolutions, residual adds and global average pooling (MobileNet v2, ResNet) in int8. */
    @Test void mobileNetAndResNetMinisTrackTheFloatModel() {
        for (String name : new String[] {"mobilenet_v2-mini", "mobilenet_v1-mini", "resnet-mini"}) {
            Module m = Zoo.build(name, 10, Shape.batchOf(3, 32, 32), 1);
            InferencePlanTest.randomStatistics(m, 2);
            InferencePlan plan = InferencePlan.freeze(m, Shape.batchOf(3, 32, 32));
            QuantizedPlan q = QuantizedPlan.quantize(plan, Tensor.normal(new Random(3), 0, 1, 100, 3, 32, 32), QuantizedPlan.Calibration.MINMAX);
            assertThat(q.steps()).anyMatch(st -> st instanceof QStep.GlobalAverage);
            Session f = plan.session(1);
            QuantizedSession s = q.session(1);
            double cos = 0;
            for (int k = 0; k < 10; k++) {
                float[] x = Tensor.normal(new Random(50 + k), 0, 1, 1, 3, 32, 32).toFloatArray();
                cos += cosine(f.predict(x), s.predict(x)) / 10;
            }
            assertThat(cos).as("%s mean cosine of int8 vs fp32 outputs", name).isGreaterThan(0.95);
        }
    }

    @Test void int8AddRoundsOnceAndSaturates() {
        byte[] x = {10, -20, 127, -128, 0, 0};
        byte[] y = new byte[3];
        int half = 1 << (QuantizedPlan.ADD_SHIFT - 1), one = 1 << QuantizedPlan.ADD_SHIFT;
        // (a - 0) * 0.5 + (b - 0) * 1: 10*0.5 + 127 -> 132 -> 127; -20*0.5 + -128 -> -138 -> -128; 0 + 0 -> 0
        Int8.add(x, 0, 0, half, 2, 0, one, QuantizedPlan.ADD_SHIFT, 0, y, 0, 2);
        assertThat(y[0]).isEqualTo((byte) 127);
        assertThat(y[1]).isEqualTo((byte) -128);
        byte[] z = new byte[1];
        Int8.add(new byte[] {3, 0}, 0, 0, half, 1, 0, one, QuantizedPlan.ADD_SHIFT, 0, z, 0, 1);
        assertThat(z[0]).isEqualTo((byte) 2);  // 1.5 rounds half up to 2
        Int8.add(new byte[] {-3, 0}, 0, 0, half, 1, 0, one, QuantizedPlan.ADD_SHIFT, 0, z, 0, 1);
        assertThat(z[0]).isEqualTo((byte) -1);  // -1.5 rounds half up to -1
    }

    @Test void layersWithoutInt8KernelsAreNamed() {
        Module dn = Zoo.build("densenet-mini", 10, Shape.batchOf(3, 32, 32), 1);
        InferencePlan plan = InferencePlan.freeze(dn, Shape.batchOf(3, 32, 32));
        assertThatThrownBy(() -> QuantizedPlan.quantize(plan, Tensor.normal(new Random(1), 0, 1, 4, 3, 32, 32), QuantizedPlan.Calibration.MINMAX))
                .hasMessageContaining("int8: step").hasMessageContaining("BatchNorm2d(24)) has no int8 kernel");
        InferencePlan mlp = InferencePlan.freeze(Mlp.of(784, new int[] {8}, 10, "relu", "he", 0, 1), Cnn.FASHION_INPUT);
        assertThatThrownBy(() -> QuantizedPlan.quantize(mlp, Tensor.normal(new Random(1), 0, 1, 4, 1, 27, 28), QuantizedPlan.Calibration.MINMAX))
                .hasMessageContaining("calibration");
        QuantizedSession s = QuantizedPlan.quantize(mlp, Tensor.normal(new Random(1), 0, 1, 4, 1, 28, 28), QuantizedPlan.Calibration.MINMAX).session();
        assertThatThrownBy(() -> s.predict(new float[10])).hasMessageContaining("input has 10 values, the model takes 784");
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    static int argmax(float[] y) {
        int b = 0;
        for (int i = 1; i < y.length; i++) if (y[i] > y[b]) b = i;
        return b;
    }
}
