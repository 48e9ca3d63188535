package dev.lathe.labs;

import dev.lathe.models.Mlp;
import dev.lathe.optim.Adam;
import dev.lathe.plot.Charts;
import java.io.IOException;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;

/**
 * A small net (1 hidden layer of 6) and a large one (4 hidden layers of 16), each trained 20 times
 * from different seeds on the same 20 noisy points: the large one fits the noise, so its runs
 * disagree with each other away from the data and its validation loss ends higher.
 */
final class OverfittingLab implements Lab {
    @Override public String name() { return "overfitting"; }

    @Override public String description() { return "1x6 vs 4x16 tanh nets, 20 seeds each on 20 noisy points: overlaid fits, train vs validation loss"; }

    static LabData.XY[] data(long seed) {
        return new LabData.XY[] {LabData.curve(20, 0.3, -3, 3, new Random(seed)), LabData.curve(200, 0.3, -3, 3, new Random(seed + 1))};
    }

    @Override public LabResult run(LabContext ctx) throws IOException {
        LabData.XY[] d = data(ctx.seed());
        int runs = ctx.size(20, 4), epochs = ctx.size(1500, 800);
        float[] grid = LabData.grid(301, -3, 3);
        Ensemble small = Ensemble.train("1x6", runs, s -> Mlp.of(1, new int[] {6}, 1, "tanh", 0, s), p -> new Adam(p, 0.01),
                d[0], d[1], epochs, grid, ctx.seed());
        Ensemble large = Ensemble.train("4x16", runs, s -> Mlp.of(1, new int[] {16, 16, 16, 16}, 1, "tanh", 0, s), p -> new Adam(p, 0.01),
                d[0], d[1], epochs, grid, ctx.seed());
        LabResult r = new LabResult(name());
        for (Ensemble e : new Ensemble[] {small, large}) {
            XYChart c = Charts.xy(runs + " runs of the " + e.name() + " net on 20 noisy points", "x", "y");
            e.drawFits(c, Charts.palette(e == small ? 0 : 3));
            Charts.points(c, "training points", LabData.toDouble(d[0].x()), LabData.toDouble(d[0].y())).setMarkerColor(java.awt.Color.BLACK);
            Charts.range(c, -3, 3, -3, 3);
            r.file(Charts.save(c, ctx.file(name(), "fits-" + e.name() + ".png")));
            r.line(String.format(Locale.ROOT, "%-5s mean final train MSE %.4f, validation MSE %.4f, spread between runs %.4f",
                    e.name(), e.meanFinalTrain(), e.meanFinalVal(), e.spread()));
            r.number(e.name() + "_train_mse", e.meanFinalTrain()).number(e.name() + "_val_mse", e.meanFinalVal()).number(e.name() + "_spread", e.spread());
        }
        r.line("noise variance is 0.09: a train MSE far below it means the net memorised the noise");
        XYChart loss = Charts.xy("Mean training (solid) and validation (dashed) loss over " + runs + " runs", "epoch", "MSE");
        loss.getStyler().setYAxisLogarithmic(true);
        small.drawMeanCurves(loss, Charts.palette(0));
        large.drawMeanCurves(loss, Charts.palette(3));
        r.file(Charts.save(loss, ctx.file(name(), "loss.png")));
        return r;
    }
}
