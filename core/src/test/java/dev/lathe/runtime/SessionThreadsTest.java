package dev.lathe.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.models.Cnn;
import dev.lathe.models.Zoo;
import dev.lathe.nn.Module;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Thread counts per session give the same bits; several sessions on one plan at once (the embedding API's own tests: predict.PredictorTest). */
class SessionThreadsTest {
    @Test void sessionThreadCountsGiveTheSameOutputs() {
        Module m = Zoo.build("mobilenet_v2-mini", 10, Shape.batchOf(3, 32, 32), 2);
        InferencePlanTest.randomStatistics(m, 3);
        InferencePlan plan = InferencePlan.freeze(m, Shape.batchOf(3, 32, 32));
        float[] x = Tensor.normal(new Random(4), 0, 1, 1, 3, 32, 32).toFloatArray();
        float[] one = plan.session(1).predict(x), two = plan.session(2).predict(x);
        assertThat(two).containsExactly(one);
        assertThat(plan.session(1).threads()).isEqualTo(1);
        assertThatThrownBy(() -> plan.session(-1)).hasMessageContaining("threads must be >= 0");
    }

    /**
     * The same bits on 1 to 4 threads, in every layout, at whatever vector width this JVM runs: threads take whole
     * bands of a fused block's fixed band grid, whole pairs of weight panels or whole pixel blocks, never a split
     * that changes which tile (and summation order) a pixel gets. MobileNetV2 at 160x160 has every case: fused
     * blocks in bands (80 down to 20 pixels wide), split by channels (5x5), the stride-2 7 -> ... blocks, the deep
     * few-pixel 320 -> 1280 conv split by channel pairs; the minis add residual, Inception, Fire and dense blocks.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"mobilenet_v2:160", "mobilenet_v2-mini:32", "resnet-mini:28", "squeezenet-mini:32", "inception-mini:32", "densenet-mini:32"})
    void everyThreadCountGivesTheSameBits(String spec) {
        String name = spec.split(":")[0];
        int size = Integer.parseInt(spec.split(":")[1]), channels = name.startsWith("resnet") ? 1 : 3;
        Module m = Zoo.build(name, 10, Shape.batchOf(channels, size, size), 2);
        InferencePlanTest.randomStatistics(m, 3);
        InferencePlan plan = InferencePlan.freeze(m, Shape.batchOf(channels, size, size));
        float[] x = Tensor.normal(new Random(4), 0, 1, 1, channels, size, size).toFloatArray();
        for (Session.Layout layout : Session.Layout.values()) {
            float[] one = new Session(plan, 1, layout).predict(x);
            for (int t = 2; t <= 4; t++) assertThat(new Session(plan, t, layout).predict(x)).as(layout + " on " + t + " threads").containsExactly(one);
        }
    }

    /** One plan, one session per thread, run concurrently: every thread gets the single-threaded answer. */
    @Test void severalThreadsWithOneSessionEach() throws Exception {
        Module m = Cnn.fashion(5);
        InferencePlan plan = InferencePlan.freeze(m, Cnn.FASHION_INPUT);
        float[][] inputs = new float[4][];
        float[][] expected = new float[4][];
        for (int i = 0; i < 4; i++) {
            inputs[i] = Tensor.normal(new Random(10 + i), 0, 1, 1, 1, 28, 28).toFloatArray();
            expected[i] = plan.session(1).predict(inputs[i]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Future<?>[] f = new Future<?>[4];
            for (int i = 0; i < 4; i++) {
                int id = i;
                f[i] = pool.submit(() -> {
                    Session s = plan.session(2);
                    for (int rep = 0; rep < 50; rep++) assertThat(s.predict(inputs[id])).containsExactly(expected[id]);
                    return null;
                });
            }
            for (Future<?> x : f) x.get();
        } finally {
            pool.shutdownNow();
        }
    }

}
