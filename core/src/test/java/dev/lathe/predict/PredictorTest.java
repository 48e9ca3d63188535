package dev.lathe.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.models.Cnn;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Module;
import dev.lathe.optim.Optimizer;
import dev.lathe.runtime.InferencePlanTestAccess;
import dev.lathe.runtime.Session;
import dev.lathe.tensor.Tensor;
import dev.lathe.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedding API: checkpoint in, predict(float[]) out, with the training standardization; clear errors; warm-up. */
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
        float[] expected = InferencePlanTestAccess.reference(m, Tensor.of(z, 1, 784));
        InferencePlanTestAccess.assertClose(p.predict(x), expected);
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

    @Test void warmUpCompilesTheKernelsAndLeavesPredictionsAsTheyWere() {
        Predictor p = Predictor.of(Cnn.fashion(5), Cnn.FASHION_INPUT, 1);
        float[] x = new float[p.inputSize()];
        Random r = new Random(2);
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        float[] before = p.predict(x);
        Session.WarmUp w = p.warmUp(java.time.Duration.ofSeconds(60));
        assertThat(w.settled()).as("warm-up %s", w).isTrue();
        assertThat(w.calls()).isGreaterThanOrEqualTo(50);
        assertThat(w.bytesPerCall()).isBetween(0L, InferencePlanTestAccess.SETTLED_BYTES - 1);
        assertThat(p.predict(x)).containsExactly(before);  // the zero inputs left no state behind
        assertThatThrownBy(() -> p.warmUp(java.time.Duration.ZERO)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budget");
        assertThatThrownBy(() -> p.warmUp(null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budget");
    }
}
