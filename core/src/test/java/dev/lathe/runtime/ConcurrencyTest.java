package dev.lathe.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.data.ArrayDataset;
import dev.lathe.data.DataLoader;
import dev.lathe.models.Cnn;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Module;
import dev.lathe.optim.Optimizer;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import dev.lathe.train.LossFunction;
import dev.lathe.train.Trainer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * One frozen plan shared by sessions on many threads, and the shared kernel pool under training and
 * inference at once (issue 31): the same bits as one thread alone, no deadlock (timeouts), no lost work.
 */
class ConcurrencyTest {
    static float[][] inputs(int n, int size, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][size];
        for (float[] v : x) for (int i = 0; i < size; i++) v[i] = (float) r.nextGaussian();
        return x;
    }

    /** 8 threads x 10,000 predictions, each thread its own session of one shared plan: every output bit-identical to one thread's. */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void sessionsOnEightThreadsMatchOneThreadBitForBit() throws Exception {
        InferencePlan plan = InferencePlan.freeze(Mlp.of(784, new int[] {256, 128}, 10, "relu", 0, 3).eval(), Shape.batchOf(1, 28, 28));
        float[][] x = inputs(32, 784, 4), expected = new float[x.length][10];
        Session alone = plan.session(1);
        for (int i = 0; i < x.length; i++) alone.predict(x[i], expected[i]);
        int threads = 8, calls = 10_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> mismatches = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int offset = t;
                mismatches.add(pool.submit(() -> {
                    Session s = plan.session(offset % 2 + 1);  // one and two kernel threads, on the shared pool
                    float[] y = new float[10];
                    int bad = 0;
                    for (int c = 0; c < calls; c++) {
                        int i = (c + offset) % x.length;
                        s.predict(x[i], y);
                        if (!Arrays.equals(y, expected[i])) bad++;
                    }
                    return bad;
                }));
            }
            int total = 0;
            for (Future<Integer> f : mismatches) total += f.get();
            assertThat(total).as("mismatches in %d x %d predictions", threads, calls).isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Two trainings and two CNN sessions share the kernel pool at once; each ends as it does alone. */
    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void trainingAndInferenceShareThePoolWithoutChangingResults() throws Exception {
        ArrayDataset data = ArrayDataset.labelled(Tensor.normal(new Random(5), 0, 1, 256, 1, 28, 28).toFloatArray(), new int[] {1, 28, 28},
                new Random(6).ints(256, 0, 10).toArray(), 10);
        float[] aloneTrain = train(data);
        InferencePlan cnn = InferencePlan.freeze(Cnn.fashion(2).eval(), Shape.batchOf(1, 28, 28));
        float[][] x = inputs(8, 784, 7), aloneInfer = new float[x.length][10];
        Session s0 = cnn.session(2);
        for (int i = 0; i < x.length; i++) s0.predict(x[i], aloneInfer[i]);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> trainings = List.of(pool.submit(() -> train(data)), pool.submit(() -> train(data)));
            List<Future<Integer>> inference = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                inference.add(pool.submit(() -> {
                    Session s = cnn.session(2);
                    float[] y = new float[10];
                    int bad = 0;
                    for (int c = 0; c < 400; c++) {
                        s.predict(x[c % x.length], y);
                        if (!Arrays.equals(y, aloneInfer[c % x.length])) bad++;
                    }
                    return bad;
                }));
            }
            for (Future<float[]> f : trainings) assertThat(f.get(240, TimeUnit.SECONDS)).as("weights after training beside others").isEqualTo(aloneTrain);
            for (Future<Integer> f : inference) assertThat(f.get(240, TimeUnit.SECONDS)).as("CNN outputs beside training").isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    /** Two epochs of a small CNN; its final weights, flattened. */
    static float[] train(ArrayDataset data) {
        Module m = Cnn.fashion(1);
        Trainer t = Trainer.builder(m, Optimizer.named("adam", m.parameters(), 1e-3, 0), LossFunction.crossEntropy()).epochs(2).build();
        t.fit(new DataLoader(data, 32, true, 0, false), null);
        List<Float> all = new ArrayList<>();
        m.stateDict().values().forEach(v -> { for (float f : v.toFloatArray()) all.add(f); });
        float[] out = new float[all.size()];
        for (int i = 0; i < out.length; i++) out[i] = all.get(i);
        return out;
    }
}
