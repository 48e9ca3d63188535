package dev.lathe.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.data.ArrayDataset;
import dev.lathe.data.Batch;
import dev.lathe.data.Collate;
import dev.lathe.data.DataLoader;
import dev.lathe.data.Example;
import dev.lathe.data.Examples;
import dev.lathe.data.Split;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Activation;
import dev.lathe.nn.Graph;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Sequential;
import dev.lathe.optim.Adam;
import dev.lathe.optim.Sgd;
import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Training through tasks (several outputs, losses and metrics), examples of any shape, and the step hooks. */
class TaskAndHooksTest {
    /** Spiral points with two things to learn: the spiral's class and the point's distance from the centre. */
    static Examples spiralsWithRadius(int perClass, long seed) {
        ArrayDataset d = TrainerTest.spirals(perClass, seed);
        List<Example> all = new ArrayList<>();
        for (int i = 0; i < d.size(); i++) {
            Tensor x = d.get(i).get(Example.INPUT);
            double r = Math.hypot(x.get(0), x.get(1));
            all.add(Example.of("input", x, "label", Tensor.scalar(d.label(i)), "radius", Tensor.of(new float[] {(float) r}, 1)));
        }
        return list(all);
    }

    static Examples list(List<Example> all) {
        return new Examples() {
            @Override public int size() { return all.size(); }

            @Override public Example get(int i) { return all.get(i); }
        };
    }

    static Graph twoHeads(long seed) {
        Graph.Builder g = Graph.builder();
        String trunk = g.chain("trunk", Graph.INPUT, new Linear(2, 32), Activation.relu(), new Linear(32, 32), Activation.relu());
        g.add("classes", new Linear(32, 3), trunk);
        g.add("radius", new Linear(32, 1), trunk);
        Graph m = g.build("classes", "radius");
        m.resetParameters(new Random(seed));
        return m;
    }

    static final Task BOTH = Task.heads(new Task.Head("classes", Task.classification("label"), 1.0), new Task.Head("radius", Task.regression("radius"), 1.0));

    @Test void twoHeadsLearnTheirOwnTargetsAndReportTheirOwnMetrics() {
        Examples train = spiralsWithRadius(200, 1), val = spiralsWithRadius(60, 2);
        Graph m = twoHeads(3);
        History h = Trainer.builder(m, new Adam(m.parameters(), 0.01), BOTH).epochs(40).build()
                .fit(new DataLoader(train, Collate.stack(), 32, true, 4, false), new DataLoader(val, Collate.stack(), 100, false, 0, false));
        EpochResult first = h.epochs().get(0), last = h.last();
        assertThat(last.metric("val_classes/accuracy")).isGreaterThan(0.9);  // chance is 1/3
        // radii lie in [0, 1) with a spread of about 0.29: the head must do far better than the mean
        assertThat(last.metric("val_radius/rmse")).isLessThan(0.06).isLessThan(first.metric("val_radius/rmse") / 2);
        assertThat(last.metrics()).containsOnlyKeys("train_classes/accuracy", "train_radius/rmse", "val_classes/accuracy", "val_radius/rmse");
        assertThat(last.valAccuracy()).isNaN();  // no single "accuracy": the heads name theirs
    }

    @Test void theHeadsLossIsTheWeightedSumOfEachHeadsLoss() {
        Examples data = spiralsWithRadius(20, 5);
        Graph m = twoHeads(6);
        Batch b = Collate.stack().collate(List.of(data.get(0), data.get(7), data.get(30), data.get(59)));
        try (GradMode.Scope s = GradMode.noGrad()) {
            Map<String, Variable> out = m.forwardAll(Map.of("input", Variable.constant(b.x())));
            double cls = Task.classification().loss(Map.of("classes", out.get("classes")), b).data().item();
            double rad = Task.regression("radius").loss(Map.of("radius", out.get("radius")), b).data().item();
            Task weighted = Task.heads(new Task.Head("classes", Task.classification(), 0.25), new Task.Head("radius", Task.regression("radius"), 3));
            assertThat(weighted.loss(out, b).data().item()).isCloseTo(0.25 * cls + 3 * rad, org.assertj.core.data.Offset.offset(1e-6));
            assertThatThrownBy(() -> Task.classification().loss(out, b)).hasMessageContaining("reads one output").hasMessageContaining("Task.heads");
            assertThatThrownBy(() -> Task.heads(new Task.Head("boxes", Task.regression(), 1)).loss(out, b)).hasMessageContaining("no such output").hasMessageContaining("radius");
        }
        assertThatThrownBy(() -> new Task.Head("x", Task.regression(), -1)).hasMessageContaining("weight");
    }

    @Test void theHooksRunInOrderAroundTheStepAndCanActOnTheGradients() {
        ArrayDataset d = TrainerTest.spirals(20, 7);  // 60 samples: two batches of 32 and 28
        Sequential m = Mlp.of(2, new int[] {8}, 3, "relu", 0, 8);
        Map<String, Tensor> before = m.stateDict();
        List<String> calls = new ArrayList<>();
        TrainingListener recorder = new TrainingListener() {
            @Override public void afterBackward(Step s) {
                calls.add("afterBackward " + s.epoch() + "." + s.batchInEpoch() + " step " + s.step() + " n=" + s.batch().size());
                // the distributed all-reduce sits here: it sees every gradient and may replace it
                for (Variable p : s.parameters()) p.zeroGrad();
            }

            @Override public void beforeStep(Step s) { calls.add("beforeStep " + s.step()); }

            @Override public void afterStep(Step s) { calls.add("afterStep " + s.step() + " optimizer at " + s.optimizer().steps()); }

            @Override public void onBatch(int epoch, int batch, double loss, int samples) { calls.add("onBatch " + batch); }
        };
        Trainer.builder(m, new Sgd(m.parameters(), 0.5, 0, false, 0), LossFunction.crossEntropy()).listener(recorder).build()
                .fit(new DataLoader(d, 32, false, 0, false), null);
        assertThat(calls).containsExactly(
                "afterBackward 1.1 step 1 n=32", "beforeStep 1", "afterStep 1 optimizer at 1", "onBatch 1",
                "afterBackward 1.2 step 2 n=28", "beforeStep 2", "afterStep 2 optimizer at 2", "onBatch 2");
        // the hook cleared every gradient before the step, so plain SGD moved nothing
        m.stateDict().forEach((k, v) -> assertThat(v.toFloatArray()).as(k).containsExactly(before.get(k).toFloatArray()));
    }

    @Test void aLossCanReadAFieldWhoseLengthDiffersPerExample() {
        // each example has 0-4 boxes; the model learns to count them from the input, reading the ragged list in its loss
        Random r = new Random(9);
        List<Example> all = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = r.nextInt(5);
            all.add(Example.of("input", Tensor.of(new float[] {n / 4f + (float) r.nextGaussian() * 0.01f, 1}, 2), "boxes", Tensor.normal(r, 0, 1, n, 4)));
        }
        Task counting = (outputs, b) -> {
            float[] counts = new float[b.size()];
            for (int i = 0; i < counts.length; i++) counts[i] = b.list("boxes").get(i).size(0);
            return Ops.mse(Task.only(outputs, "counting"), Variable.constant(Tensor.of(counts, b.size(), 1)));
        };
        Linear model = new Linear(2, 1);
        model.resetParameters(new Random(10));
        History h = Trainer.builder(model, new Adam(model.parameters(), 0.05), counting).epochs(30).build()
                .fit(new DataLoader(list(all), Collate.stack().ragged("boxes"), 20, true, 11, false), null);
        assertThat(h.last().trainLoss()).isLessThan(0.01);  // counts 0..4 have a variance of 2
        assertThatThrownBy(() -> new DataLoader(list(all), Collate.stack(), 20, false, 0, false).iterator().next()).hasMessageContaining("field 'boxes'");
    }

    @Test void datasetsTrainTheSameThroughTheirExamples() {
        Split s = Split.of(TrainerTest.spirals(60, 12), 0.25, 13);
        ArrayDataset train = s.first();
        Examples viaExamples = new Examples() {
            @Override public int size() { return train.size(); }

            @Override public Example get(int i) { return train.get(i); }
        };
        double[] a = fit(new DataLoader(train, 16, true, 14, false));
        double[] b = fit(new DataLoader(viaExamples, Collate.stack(), 16, true, 14, false));
        assertThat(b).containsExactly(a);
    }

    private static double[] fit(DataLoader train) {
        Sequential m = Mlp.of(2, new int[] {16}, 3, "relu", 0, 15);
        return Trainer.builder(m, new Adam(m.parameters(), 0.01), Task.classification()).epochs(3).build().fit(train, null).trainLosses();
    }
}
