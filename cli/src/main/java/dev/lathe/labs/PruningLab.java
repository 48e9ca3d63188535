package dev.lathe.labs;

import dev.lathe.compress.PruneAndRetrain;
import dev.lathe.compress.Pruning;
import dev.lathe.data.ArrayDataset;
import dev.lathe.data.DataLoader;
import dev.lathe.data.FashionMnist;
import dev.lathe.data.Split;
import dev.lathe.io.AtomicFiles;
import dev.lathe.models.Cnn;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Module;
import dev.lathe.optim.Optimizer;
import dev.lathe.plot.Charts;
import dev.lathe.tensor.Tensor;
import dev.lathe.train.LossFunction;
import dev.lathe.train.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.knowm.xchart.XYChart;

/**
 * The slide's pruning trade-off (Han et al. 2015, figure 5) on the Fashion MLP and CNN: accuracy
 * loss against the fraction of weights pruned, three ways — trained with L2 and pruned without
 * retraining; trained with L1, pruned once, survivors retrained; trained with L2, pruned and
 * retrained iteratively (each point continues from the previous one). Global magnitude threshold,
 * retraining at a third of the training rate with the masks kept.
 */
final class PruningLab implements Lab {
    static final double[] GRID = {0.5, 0.7, 0.8, 0.9, 0.95, 0.97};

    @Override public String name() { return "pruning"; }

    @Override public String description() { return "accuracy loss vs weights pruned (L2 no retrain, L1 + retrain, L2 iterative prune + retrain) for the Fashion MLP and CNN"; }

    @Override public LabResult run(LabContext ctx) throws IOException {
        Split all = FashionMnist.load(ctx.dataDir());
        double[] ms = all.first().meanStd();
        ArrayDataset train = all.first().normalized(ms[0], ms[1]), test = all.second().normalized(ms[0], ms[1]);
        XYChart c = Charts.xy("Pruning trade-off on Fashion-MNIST (global magnitude threshold)", "weights pruned (%)", "accuracy loss (points)");
        StringBuilder csv = new StringBuilder("model,method,sparsity,test_accuracy,accuracy_loss_points\n");
        LabResult r = new LabResult(name());
        int series = 0;
        // the MLP on every training image, the CNN on a fifth of them (one CNN epoch is ~20 s here)
        for (String model : new String[] {"mlp", "cnn"}) {
            boolean cnn = model.equals("cnn");
            ArrayDataset tr = cnn ? train.head(ctx.size(12_000, 300)) : ctx.quick() ? train.head(600) : train;
            ArrayDataset te = ctx.quick() ? test.head(200) : test;
            Supplier<Module> fresh = () -> cnn ? Cnn.fashion(ctx.seed()) : Mlp.of(784, new int[] {256, 128}, 10, "relu", "he", 0, ctx.seed());
            int epochs = ctx.size(2, 1);
            Map<String, Tensor> l2 = trained(fresh.get(), 1e-4, 0, tr, epochs, ctx.seed());
            Map<String, Tensor> l1 = trained(fresh.get(), 0, 2e-5, tr, epochs, ctx.seed());
            Module m = fresh.get();
            m.loadStateDict(l2);
            double base = scorer(m, tr, te, ctx.seed()).evaluate().accuracy();
            r.line(String.format(Locale.ROOT, "%s: %,d training images, %d epochs; dense test accuracy %.4f (L2)", model, tr.size(), epochs, base));
            r.number(model + "_dense_accuracy", base);
            String[][] methods = {{"l2_no_retrain", "L2, pruned, no retraining"}, {"l1_retrain", "L1, pruned once, retrained"}, {"l2_iterative", "L2, iterative prune + retrain"}};
            Module iterative = fresh.get();
            iterative.loadStateDict(l2);
            Pruning iterativeMasks = Pruning.of(iterative);
            for (String[] method : methods) {
                double[] x = new double[GRID.length], y = new double[GRID.length];
                for (int i = 0; i < GRID.length; i++) {
                    double acc;
                    switch (method[0]) {
                        case "l2_no_retrain" -> {
                            m.loadStateDict(l2);
                            Pruning.of(m).pruneGlobalTo(GRID[i]);
                            acc = scorer(m, tr, te, ctx.seed()).evaluate().accuracy();
                        }
                        case "l1_retrain" -> {
                            m.loadStateDict(l1);
                            acc = last(scorer(m, tr, te, ctx.seed()).run(Pruning.of(m), PruneAndRetrain.Method.GLOBAL, GRID[i], 1, 1, null));
                        }
                        default -> acc = last(scorer(iterative, tr, te, ctx.seed() + i).run(iterativeMasks, PruneAndRetrain.Method.GLOBAL, GRID[i], 1, 1, null));
                    }
                    x[i] = 100 * GRID[i];
                    y[i] = 100 * (base - acc);
                    csv.append(String.format(Locale.ROOT, "%s,%s,%.2f,%.4f,%.2f%n", model, method[0], GRID[i], acc, y[i]));
                    r.number(model + "_" + method[0] + "_" + Math.round(100 * GRID[i]), acc);
                }
                Charts.line(c, model.toUpperCase(Locale.ROOT) + ": " + method[1], x, y).setLineColor(Charts.palette(series++));
                r.line(String.format(Locale.ROOT, "  %-32s loss at 90%% pruned %5.2f points, at 97%% %5.2f", method[1], y[3], y[5]));
            }
        }
        var csvFile = ctx.file(name(), "tradeoff.csv");
        AtomicFiles.write(csvFile, o -> o.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
        r.file(csvFile);
        r.file(Charts.save(c, ctx.file(name(), "tradeoff.png")));
        return r;
    }

    private static double last(java.util.List<PruneAndRetrain.Round> rounds) { return rounds.get(rounds.size() - 1).retrainedAccuracy(); }

    /** Retraining at 3e-4 (Adam), batch 64, scored on the test images. */
    private static PruneAndRetrain scorer(Module m, ArrayDataset train, ArrayDataset test, long seed) {
        return new PruneAndRetrain(m, ps -> Optimizer.named("adam", ps, 3e-4, 0), train, test, 64, seed);
    }

    private static Map<String, Tensor> trained(Module m, double l2, double l1, ArrayDataset train, int epochs, long seed) {
        Optimizer opt = Optimizer.named("adam", m.parameters(), 1e-3, l2).l1(l1);
        Trainer.builder(m, opt, LossFunction.crossEntropy()).epochs(epochs).build().fit(new DataLoader(train, 64, true, seed, false), null);
        return m.stateDict();
    }
}
