package dev.lathe.labs;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Variable;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Module;
import dev.lathe.nn.Sequential;
import dev.lathe.optim.Adam;
import dev.lathe.plot.Charts;
import dev.lathe.tensor.Tensor;
import java.awt.Color;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;

/**
 * A 1-16-16-1 ReLU network fitting a smooth curve: the fit is piecewise linear, and it is exactly
 * the sum of the last hidden layer's units, each itself piecewise linear, weighted by the output
 * layer. The plot shows those pieces; the numbers count the linear regions the net carved.
 */
final class PiecewiseLinearLab implements Lab {
    @Override public String name() { return "piecewise-linear"; }

    @Override public String description() { return "1-16-16-1 ReLU net fitting a curve; its hidden units' piecewise-linear pieces"; }

    @Override public LabResult run(LabContext ctx) throws IOException {
        LabData.XY data = LabData.curve(ctx.size(200, 100), 0, -3, 3, new Random(ctx.seed()));
        Sequential model = Mlp.of(1, new int[] {16, 16}, 1, "relu", 0, ctx.seed());
        int epochs = ctx.size(3000, 800);
        var h = Fitting.fit(model, new Adam(model.parameters(), 0.01), data, null, epochs, ctx.seed());
        float[] grid = LabData.grid(ctx.size(2001, 601), -3, 3);
        double[] xs = LabData.toDouble(grid), target = new double[xs.length];
        for (int i = 0; i < xs.length; i++) target[i] = LabData.curve(xs[i]);
        double[] pred = LabData.toDouble(Fitting.predict(model, grid));
        // hidden = every layer before the output layer; the output is w . hidden + b
        List<Module> layers = model.layers();
        Linear out = (Linear) layers.get(layers.size() - 1);
        float[][] acts = activations(layers, grid);
        float[] hidden = acts[acts.length - 1];
        int units = out.inFeatures();
        XYChart pieces = Charts.xy("Output = sum of the last hidden layer's ReLU units x output weights + bias", "x", "contribution");
        double maxGap = 0;
        double bias = out.bias().data().get(0);
        double[] rebuilt = new double[xs.length];
        java.util.Arrays.fill(rebuilt, bias);
        for (int u = 0; u < units; u++) {
            double wu = out.weight().data().get(0, u);
            double[] contrib = new double[xs.length];
            for (int i = 0; i < xs.length; i++) {
                contrib[i] = wu * hidden[i * units + u];
                rebuilt[i] += contrib[i];
            }
            Charts.faintLine(pieces, "unit " + u, xs, contrib, Charts.palette(u));
        }
        for (int i = 0; i < xs.length; i++) maxGap = Math.max(maxGap, Math.abs(rebuilt[i] - pred[i]));
        Charts.line(pieces, "network output", xs, pred).setLineColor(Color.BLACK);
        XYChart fit = Charts.xy("1-16-16-1 ReLU network fitting sin(1.5x) + 0.3x", "x", "y");
        Charts.line(fit, "target", xs, target).setLineColor(Charts.palette(0));
        Charts.line(fit, "network", xs, pred).setLineColor(Charts.palette(3));
        Charts.points(fit, "training points", LabData.toDouble(data.x()), LabData.toDouble(data.y())).setMarkerColor(new Color(150, 150, 150));
        int regions = linearRegions(acts, grid.length);
        LabResult r = new LabResult(name());
        r.line(String.format(Locale.ROOT, "%d epochs of full-batch Adam: the fit is %d linear pieces on [-3, 3], one per on/off pattern of the 32 ReLUs met along x",
                epochs, regions));
        r.number("train_mse", h.last().trainLoss()).number("grid_mse_vs_target", mse(pred, target)).number("linear_regions", regions)
                .number("max_abs_gap_sum_of_units_vs_output", maxGap);
        r.file(Charts.save(fit, ctx.file(name(), "fit.png")));
        r.file(Charts.save(pieces, ctx.file(name(), "pieces.png")));
        return r;
    }

    /** Outputs of every ReLU layer for inputs x: [layer][sample * units + unit]. */
    private static float[][] activations(List<Module> layers, float[] x) {
        List<float[]> acts = new java.util.ArrayList<>();
        try (GradMode.Scope s = GradMode.noGrad()) {
            Variable v = Variable.constant(Tensor.of(x.clone(), x.length, 1));
            for (int i = 0; i < layers.size() - 1; i++) {
                v = layers.get(i).forward(v);
                if (layers.get(i) instanceof dev.lathe.nn.Activation) acts.add(v.data().toFloatArray());
            }
        }
        return acts.toArray(new float[0][]);
    }

    /** Runs of consecutive grid points with the same on/off pattern of every ReLU: the linear pieces. */
    static int linearRegions(float[][] acts, int n) {
        int regions = 1;
        for (int i = 1; i < n; i++) {
            boolean changed = false;
            for (float[] a : acts) {
                int units = a.length / n;
                for (int u = 0; u < units && !changed; u++) changed = (a[i * units + u] > 0) != (a[(i - 1) * units + u] > 0);
            }
            if (changed) regions++;
        }
        return regions;
    }

    private static double mse(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return s / a.length;
    }
}
