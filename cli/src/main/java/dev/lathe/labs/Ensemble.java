package dev.lathe.labs;

import dev.lathe.autograd.Variable;
import dev.lathe.nn.Module;
import dev.lathe.optim.Optimizer;
import dev.lathe.plot.Charts;
import dev.lathe.train.History;
import java.awt.Color;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;
import org.knowm.xchart.XYChart;

/**
 * The same model trained many times from different seeds on the same data: the fits on a grid and
 * the loss curves of every run, and what they say together (mean losses, spread between fits).
 */
record Ensemble(String name, float[] grid, double[][] fits, double[][] trainCurves, double[][] valCurves) {

    static Ensemble train(String name, int runs, LongFunction<Module> model, Function<List<Variable>, Optimizer> optimizer,
                          LabData.XY train, LabData.XY val, int epochs, float[] grid, long seed) {
        double[][] fits = new double[runs][], tc = new double[runs][], vc = new double[runs][];
        for (int k = 0; k < runs; k++) {
            Module m = model.apply(seed + k);
            History h = Fitting.fit(m, optimizer.apply(m.parameters()), train, val, epochs, seed + k);
            fits[k] = LabData.toDouble(Fitting.predict(m, grid));
            tc[k] = h.trainLosses();
            vc[k] = h.valLosses();
        }
        return new Ensemble(name, grid, fits, tc, vc);
    }

    double meanFinalTrain() { return meanLast(trainCurves); }

    double meanFinalVal() { return meanLast(valCurves); }

    /** Mean over the grid of the standard deviation across runs: how much the fits disagree. */
    double spread() {
        double s = 0;
        for (int i = 0; i < grid.length; i++) {
            double m = 0, m2 = 0;
            for (double[] f : fits) {
                m += f[i];
                m2 += f[i] * f[i];
            }
            m /= fits.length;
            s += Math.sqrt(Math.max(0, m2 / fits.length - m * m));
        }
        return s / grid.length;
    }

    /** Mean of the runs' curves, epoch by epoch. */
    static double[] meanCurve(double[][] curves) {
        double[] m = new double[curves[0].length];
        for (double[] c : curves) for (int i = 0; i < m.length; i++) m[i] += c[i] / curves.length;
        return m;
    }

    /** Every run's fit as a faint line in one colour. */
    void drawFits(XYChart c, Color color) {
        double[] xs = LabData.toDouble(grid);
        for (int k = 0; k < fits.length; k++) Charts.faintLine(c, name + " run " + k, xs, fits[k], color);
    }

    /** Mean training (solid) and validation (dashed) loss per epoch. */
    void drawMeanCurves(XYChart c, Color color) {
        double[] e = new double[trainCurves[0].length];
        for (int i = 0; i < e.length; i++) e[i] = i + 1;
        Charts.line(c, name + " training", e, meanCurve(trainCurves)).setLineColor(color);
        Charts.line(c, name + " validation", e, meanCurve(valCurves)).setLineColor(color)
                .setLineStyle(Charts.DASHED);
    }

    private static double meanLast(double[][] curves) {
        double s = 0;
        for (double[] c : curves) s += c[c.length - 1];
        return s / curves.length;
    }
}
