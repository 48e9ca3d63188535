package dev.lathe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.data.ArrayDataset;
import dev.lathe.data.DataLoader;
import dev.lathe.data.FashionMnist;
import dev.lathe.data.Split;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Sequential;
import dev.lathe.optim.Adam;
import dev.lathe.optim.LrSchedule;
import dev.lathe.optim.Sgd;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir Path dir;

    /** Three interleaved 2-D spirals: not linearly separable, so only a working non-linear net solves it. */
    static ArrayDataset spirals(int perClass, long seed) {
        Random r = new Random(seed);
        float[] x = new float[3 * perClass * 2];
        int[] y = new int[3 * perClass];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < perClass; i++) {
                double t = (double) i / perClass, angle = c * 2 * Math.PI / 3 + t * 4 + r.nextGaussian() * 0.15;
                int k = c * perClass + i;
                x[2 * k] = (float) (t * Math.cos(angle));
                x[2 * k + 1] = (float) (t * Math.sin(angle));
                y[k] = c;
            }
        }
        return ArrayDataset.labelled(x, new int[] {2}, y, 3);
    }

    static History fit(Sequential m, ArrayDataset train, ArrayDataset val, int epochs, long seed) {
        return Trainer.builder(m, new Adam(m.parameters(), 0.01), LossFunction.crossEntropy()).epochs(epochs).build()
                .fit(new DataLoader(train, 32, true, seed, false), val == null ? null : DataLoader.inOrder(val, 100));
    }

    @Test void smallMlpLearnsSpiralsWellBeyondChance() {
        Split s = Split.of(spirals(200, 1), 0.25, 2);
        Sequential m = Mlp.of(2, new int[] {32, 32}, 3, "relu", 0, 3);
        History h = fit(m, s.first(), s.second(), 60, 4);
        assertThat(h.last().valAccuracy()).isGreaterThan(0.9);  // chance is 1/3
        assertThat(h.last().trainLoss()).isLessThan(h.epochs().get(0).trainLoss() / 3);
    }

    @Test void sameSeedGivesTheSameLossCurve() {
        ArrayDataset d = spirals(50, 5);
        double[] a = fit(Mlp.of(2, new int[] {16}, 3, "tanh", 0.2, 6), d, null, 3, 7).trainLosses();
        double[] b = fit(Mlp.of(2, new int[] {16}, 3, "tanh", 0.2, 6), d, null, 3, 7).trainLosses();
        double[] c = fit(Mlp.of(2, new int[] {16}, 3, "tanh", 0.2, 8), d, null, 3, 7).trainLosses();
        assertThat(b).containsExactly(a);
        assertThat(c).isNotEqualTo(a);
    }

    @Test void nanLossStopsAndSaysWhere() {
        ArrayDataset d = spirals(50, 9);
        float[] x = new float[d.size() * 2];
        for (int i = 0; i < d.size(); i++) d.copySample(i, x, 2 * i);
        x[2 * 70] = Float.NaN;  // sample 70 sits in the third batch of 32 when not shuffled
        int[] y = new int[d.size()];
        for (int i = 0; i < y.length; i++) y[i] = d.label(i);
        ArrayDataset bad = ArrayDataset.labelled(x, new int[] {2}, y, 3);
        Sequential m = Mlp.of(2, new int[] {8}, 3, "relu", 0, 1);
        Trainer t = Trainer.builder(m, new Sgd(m.parameters(), 0.1), LossFunction.crossEntropy()).build();
        assertThatThrownBy(() -> t.fit(new DataLoader(bad, 32, false, 0, false), null))
                .isInstanceOf(TrainingDivergedException.class)
                .hasMessageContaining("loss became NaN at epoch 1, batch 3 (optimizer step 3)");
    }

    @Test void earlyStoppingStopsAndRestoresTheBestWeights() {
        ArrayDataset d = spirals(40, 10);
        Sequential m = Mlp.of(2, new int[] {8}, 3, "relu", 0, 2);
        List<Map<String, Tensor>> perEpoch = new ArrayList<>();
        TrainingListener snap = new TrainingListener() {
            @Override public void onEpochEnd(EpochResult r) { perEpoch.add(m.stateDict()); }
        };
        // min delta so large that nothing after the first epoch counts as an improvement
        History h = Trainer.builder(m, new Adam(m.parameters(), 0.01), LossFunction.crossEntropy())
                .epochs(10).earlyStopping(new EarlyStopping(2, 1e9)).listener(snap).build()
                .fit(new DataLoader(d, 16, true, 1, false), DataLoader.inOrder(d, 50));
        assertThat(h.stoppedEarly()).isTrue();
        assertThat(h.epochs()).hasSize(3);
        assertThat(h.bestEpoch()).isEqualTo(1);
        assertThat(m.stateDict().get("1.weight").toFloatArray()).containsExactly(perEpoch.get(0).get("1.weight").toFloatArray());
    }

    @Test void checkpointIsAReadableSafetensorsFile() throws IOException {
        Sequential m = Mlp.of(2, new int[] {4}, 3, "relu", 0, 2);
        Path ck = dir.resolve("sub/best.safetensors");
        Trainer.builder(m, new Adam(m.parameters(), 0.01), LossFunction.crossEntropy()).epochs(2).checkpoint(ck).build()
                .fit(new DataLoader(spirals(20, 3), 8, true, 1, false), null);
        byte[] bytes = Files.readAllBytes(ck);
        long headerLen = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        String header = new String(bytes, 8, (int) headerLen, StandardCharsets.UTF_8);
        assertThat(header).contains("\"1.weight\":{\"dtype\":\"F32\",\"shape\":[4,2],\"data_offsets\":[0,32]}", "\"epoch\":\"");
        assertThat((8 + headerLen) % 8).isZero();
        assertThat(bytes.length).isEqualTo(8 + headerLen + 4L * m.parameterCount());
        float w0 = ByteBuffer.wrap(bytes, (int) (8 + headerLen), 4).order(ByteOrder.LITTLE_ENDIAN).getFloat();
        assertThat(w0).isEqualTo(m.stateDict().get("1.weight").toFloatArray()[0]);
        try (var files = Files.list(ck.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("best.safetensors");  // no temp file left
        }
    }

    @Test void resumingFromACheckpointEqualsTheUninterruptedRun() throws IOException {
        ArrayDataset d = spirals(40, 9);
        Sequential straight = Mlp.of(2, new int[] {8}, 3, "tanh", 0, 4);
        Adam a = new Adam(straight.parameters(), 0.01);
        Trainer.builder(straight, a, LossFunction.crossEntropy()).epochs(3).schedule(LrSchedule.cosine(3, 0)).build()
                .fit(new DataLoader(d, 16, true, 1, false), null);

        // the same run, saving a checkpoint after each epoch, killed after the first
        Sequential first = Mlp.of(2, new int[] {8}, 3, "tanh", 0, 4);
        Adam fa = new Adam(first.parameters(), 0.01);
        Path ck = dir.resolve("run.ckpt");
        TrainingListener saveThenDie = new TrainingListener() {
            @Override public void onEpochEnd(EpochResult r) {
                try {
                    Checkpoint.save(ck, Map.of("model", "mlp", "hidden", "8"), first, fa, r.epoch());
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                throw new IllegalStateException("killed");
            }
        };
        Trainer interrupted = Trainer.builder(first, fa, LossFunction.crossEntropy()).epochs(3).schedule(LrSchedule.cosine(3, 0)).listener(saveThenDie).build();
        assertThatThrownBy(() -> interrupted.fit(new DataLoader(d, 16, true, 1, false), null)).hasMessage("killed");

        Checkpoint c = Checkpoint.load(ck);
        assertThat(c.epoch()).isEqualTo(1);
        assertThat(c.spec()).containsEntry("hidden", "8");
        Sequential resumed = Mlp.of(2, new int[] {8}, 3, "tanh", 0, 99);
        Adam ra = new Adam(resumed.parameters(), 0.01);
        c.restore(resumed, ra);
        assertThat(ra.steps()).isEqualTo(fa.steps());
        History h = Trainer.builder(resumed, ra, LossFunction.crossEntropy()).epochs(3).schedule(LrSchedule.cosine(3, 0)).resumeAfter(1).build()
                .fit(new DataLoader(d, 16, true, 1, false), null);
        assertThat(h.epochs()).extracting(EpochResult::epoch).containsExactly(2, 3);
        for (String k : straight.stateDict().keySet()) {
            assertThat(resumed.stateDict().get(k).toFloatArray()).as(k).containsExactly(straight.stateDict().get(k).toFloatArray());
        }
        assertThatThrownBy(() -> c.restore(Mlp.of(2, new int[] {8}, 3, "tanh", 0, 1), new Sgd(resumed.parameters(), 0.1)))
                .hasMessageContaining("saved with optimizer Adam, resuming with SGD");
        assertThatThrownBy(() -> Trainer.builder(resumed, ra, LossFunction.crossEntropy()).epochs(1).resumeAfter(1).build())
                .hasMessageContaining("1 epochs are done and the run has 1");
        Path weightsOnly = dir.resolve("w.safetensors");
        dev.lathe.io.Safetensors.write(weightsOnly, straight.stateDict(), Map.of());
        assertThatThrownBy(() -> Checkpoint.load(weightsOnly)).hasMessageContaining("not a Lathe training checkpoint");
    }

    @Test void fashionSubsetTrainsBeyondChance() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR),
                "Fashion-MNIST not installed (sudo apt-get install dataset-fashion-mnist); .ci/run installs it");
        Split s = FashionMnist.load(FashionMnist.DEFAULT_DIR);
        Sequential m = Mlp.of(784, new int[] {64}, 10, "relu", 0, 0);
        Trainer t = Trainer.builder(m, new Adam(m.parameters(), 1e-3), LossFunction.crossEntropy()).epochs(1).build();
        t.fit(new DataLoader(s.first().head(3000), 32, true, 0, false), null);
        assertThat(t.evaluate(DataLoader.inOrder(s.second().head(2000), 500)).accuracy()).isGreaterThan(0.65);
    }
}
