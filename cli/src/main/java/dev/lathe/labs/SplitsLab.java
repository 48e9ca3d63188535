package dev.lathe.labs;

import dev.lathe.models.Mlp;
import dev.lathe.nn.Module;
import dev.lathe.optim.Adam;
import dev.lathe.plot.Charts;
import dev.lathe.train.EarlyStopping;
import dev.lathe.train.EpochResult;
import dev.lathe.train.History;
import dev.lathe.train.TrainingListener;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;

/**
 * Training, validation and test loss of an over-sized net on few noisy points. Early stopping
 * watches the validation loss, stops when it has not improved for a while, and restores the best
 * weights; the test set, never used to decide anything, says what that choice was worth.
 */
final class SplitsLab implements Lab {
    static final int PATIENCE = 150;

    @Override public String name() { return "splits"; }

    @Override public String description() { return "training/validation/test curves with early stopping marked"; }

    @Override public LabResult run(LabContext ctx) throws IOException {
        Random rnd = new Random(ctx.seed());
        LabData.XY train = LabData.curve(30, 0.3, -3, 3, rnd), val = LabData.curve(100, 0.3, -3, 3, rnd), test = LabData.curve(200, 0.3, -3, 3, rnd);
        Module model = Mlp.of(1, new int[] {32, 32, 32}, 1, "tanh", 0, ctx.seed());
        List<Double> testCurve = new ArrayList<>();
        TrainingListener testWatch = new TrainingListener() {
            @Override public void onEpochEnd(EpochResult r) { testCurve.add(Fitting.mse(model, test)); }
        };
        int maxEpochs = ctx.size(4000, 1500);
        History h = Fitting.fit(model, new Adam(model.parameters(), 0.01), train, val, maxEpochs, train.size(), ctx.seed(),
                new EarlyStopping(PATIENCE, 0), testWatch);
        double testAtBest = Fitting.mse(model, test);
        int stopped = h.last().epoch(), best = h.bestEpoch();
        double[] e = new double[stopped], te = testCurve.stream().mapToDouble(Double::doubleValue).toArray();
        for (int i = 0; i < stopped; i++) e[i] = i + 1;
        XYChart c = Charts.xy("Training, validation and test loss with early stopping (patience " + PATIENCE + ")", "epoch", "MSE");
        c.getStyler().setYAxisLogarithmic(true);
        Charts.line(c, "training", e, h.trainLosses()).setLineColor(Charts.palette(0));
        Charts.line(c, "validation", e, h.valLosses()).setLineColor(Charts.palette(1));
        Charts.line(c, "test", e, te).setLineColor(Charts.palette(2));
        double lo = Math.min(min(h.trainLosses()), min(te)), hi = Math.max(max(h.valLosses()), max(te));
        Charts.vertical(c, "best epoch " + best + " (weights restored)", best, lo, hi).setLineColor(java.awt.Color.BLACK);
        Charts.vertical(c, "stopped at " + stopped, stopped, lo, hi).setLineColor(java.awt.Color.GRAY);
        LabResult r = new LabResult(name());
        r.line(String.format(Locale.ROOT, "best validation loss at epoch %d; stopped at %d (%s); test MSE %.4f with the restored weights, %.4f had training run on",
                best, stopped, h.stoppedEarly() ? "no improvement for " + PATIENCE + " epochs" : "epoch limit", testAtBest, te[te.length - 1]));
        r.number("best_epoch", best).number("stopped_epoch", stopped).number("stopped_early", h.stoppedEarly() ? 1 : 0)
                .number("val_mse_at_best", h.epochs().get(best - 1).valLoss()).number("test_mse_at_best", testAtBest)
                .number("test_mse_at_stop", te[te.length - 1]).number("train_mse_at_stop", h.last().trainLoss());
        r.file(Charts.save(c, ctx.file(name(), "curves.png")));
        return r;
    }

    private static double min(double[] v) { return java.util.Arrays.stream(v).min().orElse(Double.NaN); }

    private static double max(double[] v) { return java.util.Arrays.stream(v).max().orElse(Double.NaN); }
}
