package dev.lathe.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.models.Cnn;
import dev.lathe.models.Mlp;
import dev.lathe.models.Zoo;
import dev.lathe.nn.Module;
import dev.lathe.optim.Optimizer;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import dev.lathe.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API: checkpoint in, predict(float[]) out; thread counts per session; several sessions at once. */
class PredictorTest {
    @TempDir Path tmp;

    static Map<String, String> spec(String model) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("model", model);
        s.put("hidden", "32,16");
        s.put("activation", "relu");
        s.put("init", "he");
        s.put("dropout", "0.1");
        s.put("seed", "3");
        return s;
    }

    @Test void loadsACheckpointAndAppliesItsStandardization() throws Exception {
        Module m = Mlp.of(784, new int[] {32, 16}, 10, "relu", "he", 0.1, 7);  // other weights than the spec's seed: they must come from the file
        Map<String, String> s = spec("mlp");
        s.put("input_mean", "0.25");
        s.put("input_std", "0.5");
        Path f = tmp.resolve("mlp.ckpt");
        Checkpoint.save(f, s, m, Optimizer.named("adam", m.parameters(), 1e-3, 0), 2);
        Predictor p = Predictor.load(f, 1);
        float[] x = new float[784];
        Random r = new Random(1);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        float[] z = new float[784];
        for (int i = 0; i < x.length; i++) z[i] = (x[i] - 0.25f) / 0.5f;
        float[] expected = InferencePlanTest.reference(m, Tensor.of(z, 1, 784));
        InferencePlanTest.assertClose(p.predict(x), expected);
        int best = 0;
        for (int i = 1; i < expected.length; i++) if (expected[i] > expected[best]) best = i;
        assertThat(p.predictClass(x)).isEqualTo(best);
        assertThat(p.inputSize()).isEqualTo(784);
        assertThat(p.outputSize()).isEqualTo(10);
    }

    @Test void badInputsAndFilesGiveClearErrors() throws Exception {
        Module m = Cnn.fashion(1);
        Path f = tmp.resolve("cnn.ckpt");
        Checkpoint.save(f, spec("cnn"), m, Optimizer.named("sgd", m.parameters(), 0.1, 0), 1);
        Predictor p = Predictor.load(f);
        assertThatThrownBy(() -> p.predict(new float[783])).hasMessageContaining("input has 783 values, the model takes 784");
        assertThatThrownBy(() -> p.predict(new float[784], new float[9])).hasMessageContaining("output array has 9 values, the model gives 10");
        // NaN is not checked: it propagates (documented)
        float[] nan = new float[784];
        nan[5] = Float.NaN;
        float[] out = p.predict(nan);
        boolean anyNaN = false;
        for (float v : out) anyNaN |= Float.isNaN(v);
        assertThat(anyNaN).as("NaN reaches the outputs").isTrue();
        assertThatThrownBy(() -> Predictor.load(tmp.resolve("missing.ckpt"))).isInstanceOf(NoSuchFileException.class).hasMessageContaining("missing.ckpt");
        Path junk = tmp.resolve("junk.ckpt");
        Files.write(junk, new byte[] {1, 2, 3});
        assertThatThrownBy(() -> Predictor.load(junk)).hasMessageContaining("junk.ckpt");
        // weights of another architecture than the spec names
        Path wrong = tmp.resolve("wrong.ckpt");
        Checkpoint.save(wrong, spec("mlp"), m, Optimizer.named("sgd", m.parameters(), 0.1, 0), 1);
        assertThatThrownBy(() -> Predictor.load(wrong)).hasMessageContaining("wrong.ckpt").hasMessageContaining("do not fit");
        Map<String, String> noModel = spec("cnn");
        noModel.remove("model");
        Path incomplete = tmp.resolve("incomplete.ckpt");
        Checkpoint.save(incomplete, noModel, m, Optimizer.named("sgd", m.parameters(), 0.1, 0), 1);
        assertThatThrownBy(() -> Predictor.load(incomplete)).hasMessageContaining("lacks setting 'model'");
    }

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

    @Test void warmUpCompilesTheKernelsAndLeavesPredictionsAsTheyWere() {
        Predictor p = Predictor.of(Cnn.fashion(5), Cnn.FASHION_INPUT, 1);
        float[] x = new float[p.inputSize()];
        Random r = new Random(2);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        float[] before = p.predict(x);
        Session.WarmUp w = p.warmUp(java.time.Duration.ofSeconds(60));
        assertThat(w.settled()).as("warm-up %s", w).isTrue();
        assertThat(w.calls()).isGreaterThanOrEqualTo(50);
        assertThat(w.bytesPerCall()).isBetween(0L, Session.SETTLED_BYTES - 1);
        assertThat(p.predict(x)).containsExactly(before);  // the zero inputs left no state behind
        assertThatThrownBy(() -> p.warmUp(java.time.Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budget");
        assertThatThrownBy(() -> p.warmUp(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budget");
    }
}
