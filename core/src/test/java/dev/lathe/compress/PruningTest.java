package dev.lathe.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.data.ArrayDataset;
import dev.lathe.models.Cnn;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Dropout;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Module;
import dev.lathe.nn.Sequential;
import dev.lathe.optim.Optimizer;
import dev.lathe.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PruningTest {
    static int zeros(float[] w) {
        int z = 0;
        for (float v : w) if (v == 0) z++;
        return z;
    }

    @Test void magnitudePruningRemovesTheSmallestAndKeepsSurvivorsValues() {
        Linear l = new Linear(4, 3);
        float[] w = {0.5f, -0.1f, 0.9f, -0.3f, 0.05f, -0.7f, 0.2f, 0.8f, -0.6f, 0.4f, 0.01f, -1f};
        l.weight().data().assign(Tensor.of(w.clone(), 3, 4));
        Pruning p = Pruning.of(l).pruneLayerTo("weight", 0.5);
        float[] got = l.weight().data().floatData();
        // the six smallest |w|: 0.01, 0.05, 0.1, 0.2, 0.3, 0.4
        assertThat(got).containsExactly(0.5f, 0, 0.9f, 0, 0, -0.7f, 0, 0.8f, -0.6f, 0, 0, -1f);
        assertThat(p.sparsity()).isEqualTo(0.5);
        assertThat(l.bias().data().floatData()).doesNotContain(Float.NaN);  // biases are not pruned
    }

    @Test void qualityFactorThresholdIsQTimesTheStdDev() {
        Linear l = new Linear(100, 10);
        l.resetParameters(new Random(1));
        float[] w = l.weight().data().floatData().clone();
        double mean = 0, sq = 0;
        for (float v : w) mean += v / w.length;
        for (float v : w) sq += (v - mean) * (v - mean) / w.length;
        double t = 0.8 * Math.sqrt(sq);
        int below = 0;
        for (float v : w) if (Math.abs(v) < t) below++;
        Pruning.of(l).pruneByQuality(0.8);
        assertThat(zeros(l.weight().data().floatData())).isEqualTo(below);
    }

    @Test void globalThresholdPrunesLargeLayersHarderThanSmallOnes() {
        Sequential m = Mlp.of(784, new int[] {64}, 10, "relu", "he", 0, 3);
        Pruning p = Pruning.of(m).pruneGlobalTo(0.9);
        assertThat(p.sparsity()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-4));
        List<Pruning.Layer> ls = p.layers();
        // He init: the 784-input layer has the smaller weights, so one threshold takes more of it
        assertThat(ls.get(0).sparsity()).isGreaterThan(ls.get(1).sparsity());
    }

    @Test void structuredPruningMasksWholeRowsByNorm() {
        Linear l = new Linear(3, 4);
        l.weight().data().assign(Tensor.of(new float[] {1, 1, 1, 0.1f, 0.1f, 0.1f, 2, 2, 2, 0.2f, -0.2f, 0.2f}, 4, 3));
        Pruning p = Pruning.of(l).pruneRowsTo("weight", 0.5);
        assertThat(l.weight().data().floatData()).containsExactly(1, 1, 1, 0, 0, 0, 2, 2, 2, 0, 0, 0);
        assertThat(p.report(dev.lathe.tensor.Shape.batchOf(3)).get(0).deadRows()).isEqualTo(2);
    }

    /** The masks survive optimizer steps: Adam's momentum would otherwise move pruned weights off zero. */
    @Test void masksSurviveRetrainingSteps() {
        Sequential m = Mlp.of(20, new int[] {16}, 3, "relu", "he", 0, 4);
        Pruning p = Pruning.of(m).pruneEachLayerTo(0.7);
        boolean[] pruned = new boolean[p.layers().get(0).size()];
        float[] before = p.layers().get(0).weight().data().floatData().clone();
        for (int i = 0; i < pruned.length; i++) pruned[i] = before[i] == 0;
        Optimizer opt = Optimizer.named("adam", m.parameters(), 1e-2, 0);
        var keep = p.keepApplied();
        Random r = new Random(5);
        boolean moved = false;
        for (int step = 0; step < 20; step++) {
            Variable x = Variable.constant(Tensor.normal(r, 0, 1, 8, 20));
            int[] y = new int[8];
            for (int i = 0; i < 8; i++) y[i] = r.nextInt(3);
            opt.zeroGrad();
            Ops.softmaxCrossEntropy(m.forward(x), y).backward();
            opt.step();
            keep.onBatch(1, step + 1, 0, 8);
            float[] w = p.layers().get(0).weight().data().floatData();
            for (int i = 0; i < w.length; i++) {
                if (pruned[i]) assertThat(w[i]).as("pruned weight %d after step %d", i, step).isZero();
                else moved |= w[i] != before[i];
            }
        }
        assertThat(moved).as("survivors train").isTrue();
        // a reloaded pruned model starts with its zeros masked
        assertThat(Pruning.of(m).sparsity()).isCloseTo(p.sparsity(), org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test void dropoutIsRescaledBySqrtOfTheConnectionsLeft() {
        Sequential m = Mlp.of(10, new int[] {8}, 4, "relu", "he", 0.5, 1);
        Dropout d = (Dropout) m.layers().stream().filter(x -> x instanceof Dropout).findFirst().orElseThrow();
        Pruning p = Pruning.of(m);
        p.pruneLayerTo(p.layers().get(1).name(), 0.75);
        var rates = new IdentityHashMap<Dropout, Double>();
        assertThat(p.rescaleDropout(rates)).isEqualTo(1);
        assertThat(d.probability()).isCloseTo(0.5 * Math.sqrt(0.25), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(rates.get(d)).isEqualTo(0.5);
    }

    @Test void reportCountsCsrBytesAndKeptMacs() {
        Module cnn = Cnn.fashion(1);
        Pruning p = Pruning.of(cnn).pruneEachLayerTo(0.9);
        var rows = p.report(Cnn.FASHION_INPUT);
        var conv2 = rows.get(1);
        assertThat(conv2.weights()).isEqualTo(64 * 32 * 9);
        assertThat(conv2.macs()).isEqualTo(64L * 32 * 9 * 14 * 14);
        assertThat(conv2.keptMacs()).isEqualTo(Math.round(conv2.macs() * (double) conv2.kept() / conv2.weights()));
        assertThat(conv2.sparseBytes()).isEqualTo(conv2.kept() * 6L + 4L * 65);
        assertThat(p.describe(Cnn.FASHION_INPUT)).contains("90.0% pruned", "skipped by Lathe's dense kernels: 0");
    }

    @Test void iterativeTargetsRemoveTheSameFractionOfSurvivorsEachRound() {
        double[] t = Pruning.iterativeTargets(0.9, 3);
        assertThat(t[2]).isEqualTo(0.9);
        assertThat(1 - t[0]).isCloseTo(Math.cbrt(0.1), org.assertj.core.data.Offset.offset(1e-12));
        assertThat((1 - t[1]) / (1 - t[0])).isCloseTo(1 - t[0], org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test void pruneAndRetrainRecoversAccuracyOnALearnableTask() {
        Random r = new Random(7);
        int n = 400;
        float[] x = new float[n * 10];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 10; j++) x[i * 10 + j] = (float) r.nextGaussian();
            y[i] = x[i * 10] + x[i * 10 + 1] > 0 ? 1 : 0;
        }
        ArrayDataset data = ArrayDataset.labelled(x, new int[] {10}, y, 2);
        Sequential m = Mlp.of(10, new int[] {32}, 2, "relu", "he", 0, 8);
        var pr = new PruneAndRetrain(m, ps -> Optimizer.named("adam", ps, 1e-2, 0), data, data, 32, 9);
        dev.lathe.train.Trainer.builder(m, Optimizer.named("adam", m.parameters(), 1e-2, 0), dev.lathe.train.LossFunction.crossEntropy()).epochs(5).build()
                .fit(new dev.lathe.data.DataLoader(data, 32, true, 1, false), null);
        double base = pr.evaluate().accuracy();
        Pruning p = Pruning.of(m);
        var rounds = pr.run(p, PruneAndRetrain.Method.GLOBAL, 0.9, 3, 3, null);
        assertThat(rounds).hasSize(3);
        assertThat(rounds.get(2).sparsity()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(0.01));
        assertThat(rounds.get(2).retrainedAccuracy()).isGreaterThan(base - 0.05);
    }

    @Test void badArgumentsAreNamed() {
        Pruning p = Pruning.of(new Linear(3, 2));
        assertThatThrownBy(() -> p.pruneGlobalTo(1.0)).hasMessageContaining("sparsity must be in [0, 1), got 1.0");
        assertThatThrownBy(() -> p.pruneByQuality(-1)).hasMessageContaining("quality factor");
        assertThatThrownBy(() -> p.pruneLayerTo("fc9", 0.5)).hasMessageContaining("no prunable layer 'fc9'");
        assertThatThrownBy(() -> Pruning.of(new Dropout(0.1))).hasMessageContaining("no Linear or Conv2d");
        assertThatThrownBy(() -> Pruning.iterativeTargets(0.5, 0)).hasMessageContaining("steps must be >= 1");
        assertThatThrownBy(() -> Optimizer.named("sgd", new Linear(2, 2).parameters(), 0.1, 0).l1(-1)).hasMessageContaining("L1 strength");
    }
}
