package dev.lathe.labs;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Variable;
import dev.lathe.data.ArrayDataset;
import dev.lathe.data.DataLoader;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Sequential;
import dev.lathe.optim.Adam;
import dev.lathe.plot.Charts;
import dev.lathe.tensor.Tensor;
import dev.lathe.train.Evaluation;
import dev.lathe.train.LossFunction;
import dev.lathe.train.Trainer;
import java.awt.Color;
import java.io.IOException;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** Two interleaved spirals, which no straight line separates, classified by a 2-32-32-2 ReLU MLP; decision regions plotted. */
final class ClassificationLab implements Lab {
    static final double BOX = 2.2;

    @Override public String name() { return "classification"; }

    @Override public String description() { return "two spirals classified by a 2-32-32-2 MLP; decision regions plotted"; }

    @Override public LabResult run(LabContext ctx) throws IOException {
        int perClass = ctx.size(300, 150);
        LabData.Labelled train = LabData.spirals(perClass, 0.04, new Random(ctx.seed()));
        LabData.Labelled test = LabData.spirals(perClass, 0.04, new Random(ctx.seed() + 1000));
        Sequential model = Mlp.of(2, new int[] {32, 32}, 2, "relu", 0, ctx.seed());
        int epochs = ctx.size(300, 200);
        Trainer t = Trainer.builder(model, new Adam(model.parameters(), 0.01), LossFunction.crossEntropy()).epochs(epochs).build();
        t.fit(new DataLoader(dataset(train), 32, true, ctx.seed(), false), null);
        Evaluation tr = t.evaluate(DataLoader.inOrder(dataset(train), 256)), te = t.evaluate(DataLoader.inOrder(dataset(test), 256));
        XYChart c = Charts.xy("Decision regions of a 2-32-32-2 ReLU MLP on two spirals", "x0", "x1");
        regions(c, model, ctx.size(140, 60));
        for (int cls = 0; cls < 2; cls++) {
            XYSeries s = Charts.points(c, "class " + cls, coords(train, cls, 0), coords(train, cls, 1));
            s.setMarkerColor(cls == 0 ? new Color(31, 80, 160) : new Color(200, 60, 20));
        }
        Charts.range(c, -BOX, BOX, -BOX, BOX);
        LabResult r = new LabResult(name());
        r.line(String.format(Locale.ROOT, "%d epochs, Adam 0.01, batch 32, %d training points: train accuracy %.3f, test accuracy %.3f (fresh spirals)",
                epochs, train.size(), tr.accuracy(), te.accuracy()));
        r.number("train_accuracy", tr.accuracy()).number("test_accuracy", te.accuracy()).number("test_loss", te.loss());
        r.file(Charts.save(c, ctx.file(name(), "regions.png")));
        return r;
    }

    static ArrayDataset dataset(LabData.Labelled d) { return ArrayDataset.labelled(d.x(), new int[] {2}, d.labels(), 2); }

    /** Colours a grid of the plane by the predicted class: two scatter series of small light squares. */
    private static void regions(XYChart c, Sequential model, int n) {
        float[] grid = new float[2 * n * n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                grid[2 * (j * n + i)] = (float) (-BOX + 2 * BOX * i / (n - 1));
                grid[2 * (j * n + i) + 1] = (float) (-BOX + 2 * BOX * j / (n - 1));
            }
        }
        int[] pred;
        model.eval();
        try (GradMode.Scope s = GradMode.noGrad()) {
            pred = model.forward(Variable.constant(Tensor.of(grid, n * n, 2))).data().argmax(1);
        }
        Color[] shade = {new Color(190, 210, 245), new Color(250, 210, 190)};
        for (int cls = 0; cls < 2; cls++) {
            int count = 0;
            for (int p : pred) if (p == cls) count++;
            if (count == 0) continue;
            double[] x = new double[count], y = new double[count];
            for (int k = 0, m = 0; k < pred.length; k++) {
                if (pred[k] != cls) continue;
                x[m] = grid[2 * k];
                y[m++] = grid[2 * k + 1];
            }
            XYSeries s = Charts.points(c, "predicted " + cls, x, y);
            s.setMarker(SeriesMarkers.SQUARE);
            s.setMarkerColor(shade[cls]);
            s.setShowInLegend(false);
        }
        c.getStyler().setMarkerSize(5);
    }

    private static double[] coords(LabData.Labelled d, int cls, int axis) {
        return java.util.stream.IntStream.range(0, d.size()).filter(i -> d.labels()[i] == cls).mapToDouble(i -> d.x()[2 * i + axis]).toArray();
    }
}
