package dev.lathe.labs;

import dev.lathe.models.Mlp;
import dev.lathe.optim.Adam;
import dev.lathe.plot.Charts;
import java.io.IOException;
import java.util.Locale;
import org.knowm.xchart.XYChart;

/** The overfitting lab's 4x16 net, plain, with L2 weight decay, and with dropout: fits and validation loss. */
final class RegularizationLab implements Lab {
    static final double L2 = 3e-3, DROPOUT = 0.1;

    @Override public String name() { return "regularization"; }

    @Override public String description() { return "the 4x16 net plain, with L2 and with dropout: fits and validation loss"; }

    @Override public LabResult run(LabContext ctx) throws IOException {
        LabData.XY[] d = OverfittingLab.data(ctx.seed());
        int runs = ctx.size(8, 3), epochs = ctx.size(1500, 800);
        float[] grid = LabData.grid(301, -3, 3);
        int[] hidden = {16, 16, 16, 16};
        Ensemble[] variants = {
            Ensemble.train("plain", runs, s -> Mlp.of(1, hidden, 1, "tanh", 0, s), p -> new Adam(p, 0.01), d[0], d[1], epochs, grid, ctx.seed()),
            Ensemble.train("L2 " + L2, runs, s -> Mlp.of(1, hidden, 1, "tanh", 0, s), p -> new Adam(p, 0.01, 0.9, 0.999, 1e-8, L2, false),
                    d[0], d[1], epochs, grid, ctx.seed()),
            Ensemble.train("dropout " + DROPOUT, runs, s -> Mlp.of(1, hidden, 1, "tanh", DROPOUT, s), p -> new Adam(p, 0.01), d[0], d[1], epochs, grid, ctx.seed()),
        };
        LabResult r = new LabResult(name());
        XYChart fits = Charts.xy("4x16 net, " + runs + " runs each: plain, L2, dropout", "x", "y");
        XYChart loss = Charts.xy("Mean training (solid) and validation (dashed) loss", "epoch", "MSE");
        loss.getStyler().setYAxisLogarithmic(true);
        String[] keys = {"plain", "l2", "dropout"};
        for (int k = 0; k < variants.length; k++) {
            Ensemble e = variants[k];
            e.drawFits(fits, Charts.palette(k));
            e.drawMeanCurves(loss, Charts.palette(k));
            r.line(String.format(Locale.ROOT, "%-12s train MSE %.4f, validation MSE %.4f, spread between runs %.4f",
                    e.name(), e.meanFinalTrain(), e.meanFinalVal(), e.spread()));
            r.number(keys[k] + "_train_mse", e.meanFinalTrain()).number(keys[k] + "_val_mse", e.meanFinalVal()).number(keys[k] + "_spread", e.spread());
        }
        r.line("(dropout's train MSE is measured with dropout active, as it trains)");
        Charts.points(fits, "training points", LabData.toDouble(d[0].x()), LabData.toDouble(d[0].y())).setMarkerColor(java.awt.Color.BLACK);
        Charts.range(fits, -3, 3, -3, 3);
        r.file(Charts.save(fits, ctx.file(name(), "fits.png")));
        r.file(Charts.save(loss, ctx.file(name(), "loss.png")));
        return r;
    }
}
