package dev.lathe.labs;

import dev.lathe.data.DataLoader;
import dev.lathe.io.AtomicFiles;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Sequential;
import dev.lathe.optim.Optimizer;
import dev.lathe.plot.Charts;
import dev.lathe.train.Evaluation;
import dev.lathe.train.LossFunction;
import dev.lathe.train.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;

/**
 * Random search over depth, width, activation, optimizer, learning rate (log-uniform), L2 and
 * dropout on the two-spirals task. Trials are ranked by validation accuracy; only the winner is
 * scored on the test set, once, so the test figure is not itself tuned.
 */
final class HyperparametersLab implements Lab {
    static final String[] ACTIVATIONS = {"relu", "tanh"}, OPTIMIZERS = {"momentum", "rmsprop", "adam"};
    static final int[] WIDTHS = {8, 16, 32, 64};
    static final double[] L2S = {0, 1e-4, 1e-3}, DROPOUTS = {0, 0.1};

    @Override public String name() { return "hyperparameters"; }

    @Override public String description() { return "random search (layers, units, activation, optimizer, lr, L2, dropout) on spirals: CSV table and plot"; }

    record Trial(int id, int layers, int units, String activation, String optimizer, double lr, double l2, double dropout,
                 double trainAcc, double valAcc, double valLoss) {
        String csv() {
            return String.format(Locale.ROOT, "%d,%d,%d,%s,%s,%.6g,%g,%g,%.4f,%.4f,%.5f", id, layers, units, activation, optimizer, lr, l2, dropout, trainAcc, valAcc, valLoss);
        }
    }

    @Override public LabResult run(LabContext ctx) throws IOException {
        Random pick = new Random(ctx.seed());
        LabData.Labelled train = LabData.spirals(ctx.size(300, 120), 0.05, new Random(ctx.seed() + 1));
        LabData.Labelled val = LabData.spirals(150, 0.05, new Random(ctx.seed() + 2)), test = LabData.spirals(300, 0.05, new Random(ctx.seed() + 3));
        int trials = ctx.size(16, 4), epochs = ctx.size(80, 30);
        List<Trial> done = new ArrayList<>();
        Trainer bestTrainer = null;
        for (int t = 0; t < trials; t++) {
            int layers = 1 + pick.nextInt(3), units = WIDTHS[pick.nextInt(WIDTHS.length)];
            String act = ACTIVATIONS[pick.nextInt(ACTIVATIONS.length)], opt = OPTIMIZERS[pick.nextInt(OPTIMIZERS.length)];
            double lr = Math.pow(10, -3.5 + 2 * pick.nextDouble()), l2 = L2S[pick.nextInt(L2S.length)], drop = DROPOUTS[pick.nextInt(DROPOUTS.length)];
            int[] hidden = new int[layers];
            java.util.Arrays.fill(hidden, units);
            Sequential m = Mlp.of(2, hidden, 2, act, drop, ctx.seed() + t);
            Trainer tr = Trainer.builder(m, Optimizer.named(opt, m.parameters(), lr, l2), LossFunction.crossEntropy()).epochs(epochs).build();
            tr.fit(new DataLoader(ClassificationLab.dataset(train), 32, true, ctx.seed() + t, false), null);
            Evaluation te = tr.evaluate(DataLoader.inOrder(ClassificationLab.dataset(train), 256));
            Evaluation ve = tr.evaluate(DataLoader.inOrder(ClassificationLab.dataset(val), 256));
            Trial trial = new Trial(t, layers, units, act, opt, lr, l2, drop, te.accuracy(), ve.accuracy(), ve.loss());
            if (done.stream().allMatch(d -> trial.valAcc() > d.valAcc() || (trial.valAcc() == d.valAcc() && trial.valLoss() < d.valLoss()))) {
                bestTrainer = tr;
            }
            done.add(trial);
        }
        done.sort((a, b) -> a.valAcc() != b.valAcc() ? Double.compare(b.valAcc(), a.valAcc()) : Double.compare(a.valLoss(), b.valLoss()));
        Trial best = done.get(0);
        double testAcc = bestTrainer.evaluate(DataLoader.inOrder(ClassificationLab.dataset(test), 256)).accuracy();
        LabResult r = new LabResult(name());
        String header = "trial,layers,units,activation,optimizer,lr,l2,dropout,train_acc,val_acc,val_loss";
        r.line(String.format(Locale.ROOT, "%5s %6s %5s %-5s %-8s %9s %7s %7s %9s %7s", "trial", "layers", "units", "act", "opt", "lr", "l2", "dropout", "train_acc", "val_acc"));
        for (Trial t : done) {
            r.line(String.format(Locale.ROOT, "%5d %6d %5d %-5s %-8s %9.2e %7.0e %7.1f %9.3f %7.3f", t.id(), t.layers(), t.units(), t.activation(), t.optimizer(),
                    t.lr(), t.l2(), t.dropout(), t.trainAcc(), t.valAcc()));
        }
        r.line(String.format(Locale.ROOT, "best by validation: trial %d; its test accuracy %.3f (the only trial scored on the test set)", best.id(), testAcc));
        r.number("trials", trials).number("best_trial", best.id()).number("best_val_accuracy", best.valAcc()).number("best_test_accuracy", testAcc)
                .number("worst_val_accuracy", done.get(done.size() - 1).valAcc());
        StringBuilder csv = new StringBuilder(header).append('\n');
        for (Trial t : done) csv.append(t.csv()).append('\n');
        var csvFile = ctx.file(name(), "trials.csv");
        AtomicFiles.write(csvFile, o -> o.write(csv.toString().getBytes(StandardCharsets.UTF_8)));
        r.file(csvFile);
        XYChart c = Charts.xy("Random search: validation accuracy by learning rate and optimizer", "learning rate", "validation accuracy");
        c.getStyler().setXAxisLogarithmic(true);
        for (int o = 0; o < OPTIMIZERS.length; o++) {
            String name = OPTIMIZERS[o];
            double[] lr = done.stream().filter(t -> t.optimizer().equals(name)).mapToDouble(Trial::lr).toArray();
            double[] acc = done.stream().filter(t -> t.optimizer().equals(name)).mapToDouble(Trial::valAcc).toArray();
            if (lr.length > 0) Charts.points(c, name, lr, acc).setMarkerColor(Charts.palette(o));
        }
        r.file(Charts.save(c, ctx.file(name(), "search.png")));
        return r;
    }
}
