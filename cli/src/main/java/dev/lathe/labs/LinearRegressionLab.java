package dev.lathe.labs;

import dev.lathe.nn.Linear;
import dev.lathe.optim.Sgd;
import dev.lathe.plot.Charts;
import dev.lathe.plot.Contours;
import dev.lathe.train.TrainingListener;
import java.io.IOException;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * y = w*x + b fitted by MSE with full-batch gradient descent, SGD (batch 1) and minibatch SGD,
 * each from the same far-off start, with their paths drawn on the contours of the cost over (w, b).
 */
final class LinearRegressionLab implements Lab {
    static final double SLOPE = 2.0, OFFSET = 3.0, NOISE = 0.25;
    static final double START_W = -1.0, START_B = -1.5;

    @Override public String name() { return "linear-regression"; }

    @Override public String description() { return "y = w*x + b by gradient descent, SGD and minibatch; cost contours over (w, b) with the paths"; }

    private record Run(String name, int batch, double lr, int epochs) {}

    @Override public LabResult run(LabContext ctx) throws IOException {
        LabData.XY data = LabData.line(200, SLOPE, OFFSET, NOISE, -1, 3, new Random(ctx.seed()));
        double[] exact = leastSquares(data);
        Run[] runs = {new Run("gradient descent (full batch)", data.size(), 0.1, ctx.size(300, 150)),
            new Run("minibatch SGD (16)", 16, 0.05, ctx.size(20, 10)), new Run("SGD (batch 1)", 1, 0.01, ctx.size(3, 2))};
        Contours.Surface cost = (w, b) -> cost(data, w, b);
        XYChart contour = Charts.xy("MSE cost over (slope, offset) and the descent paths", "slope w", "offset b");
        Contours.draw(contour, cost, -2, 4, -3, 5, Contours.quadraticLevels(cost, -2, 4, -3, 5, 18));
        XYChart loss = Charts.xy("Cost on the whole data set after each step", "step", "MSE");
        loss.getStyler().setYAxisLogarithmic(true);
        LabResult r = new LabResult(name());
        double[] gd = null;
        for (int k = 0; k < runs.length; k++) {
            Run run = runs[k];
            Linear model = new Linear(1, 1);
            model.weight().data().set(START_W, 0, 0);
            model.bias().data().set(START_B, 0);
            Path path = new Path(model);
            Fitting.fit(model, new Sgd(model.parameters(), run.lr()), data, null, run.epochs(), run.batch(), ctx.seed() + k, null, path);
            double[] end = {path.w[path.n - 1], path.b[path.n - 1]};
            if (k == 0) gd = end;
            int shown = Math.min(path.n, 400);
            XYSeries s = Charts.line(contour, run.name(), java.util.Arrays.copyOf(path.w, shown), java.util.Arrays.copyOf(path.b, shown));
            s.setLineColor(Charts.palette(k));
            double[] steps = new double[shown], costs = new double[shown];
            for (int i = 0; i < shown; i++) {
                steps[i] = i;
                costs[i] = cost(data, path.w[i], path.b[i]);
            }
            Charts.line(loss, run.name(), steps, costs).setLineColor(Charts.palette(k));
            String key = k == 0 ? "gd" : k == 1 ? "minibatch" : "sgd";
            r.number(key + "_slope", end[0]).number(key + "_offset", end[1]).number(key + "_steps", path.n - 1)
                    .number(key + "_final_mse", cost(data, end[0], end[1]));
        }
        XYSeries min = Charts.points(contour, "least-squares minimum", new double[] {exact[0]}, new double[] {exact[1]});
        min.setMarker(SeriesMarkers.CROSS);
        min.setMarkerColor(java.awt.Color.BLACK);
        r.line(String.format(Locale.ROOT, "final slope=%.4f offset=%.4f (gradient descent, %d steps from w=%.1f b=%.1f)",
                gd[0], gd[1], (int) r.number("gd_steps"), START_W, START_B));
        r.line(String.format(Locale.ROOT, "generating slope=%.4f offset=%.4f; least squares on this data slope=%.4f offset=%.4f",
                SLOPE, OFFSET, exact[0], exact[1]));
        r.number("slope_error_pct", 100 * Math.abs(gd[0] - SLOPE) / SLOPE).number("offset_error_pct", 100 * Math.abs(gd[1] - OFFSET) / OFFSET);
        r.number("lsq_slope", exact[0]).number("lsq_offset", exact[1]);
        r.file(Charts.save(fitChart(data, gd), ctx.file(name(), "fit.png")));
        r.file(Charts.save(loss, ctx.file(name(), "loss.png")));
        r.file(Charts.save(contour, ctx.file(name(), "contour.png")));
        return r;
    }

    private static XYChart fitChart(LabData.XY data, double[] wb) {
        XYChart c = Charts.xy("Data and the fitted line", "x", "y");
        Charts.points(c, "data", LabData.toDouble(data.x()), LabData.toDouble(data.y())).setMarkerColor(new java.awt.Color(120, 120, 120));
        double[] ends = {-1, 3};
        Charts.line(c, String.format(Locale.ROOT, "fit y = %.3f x + %.3f", wb[0], wb[1]), ends, new double[] {wb[0] * -1 + wb[1], wb[0] * 3 + wb[1]})
                .setLineColor(Charts.palette(3));
        return c;
    }

    /** The MSE of y = w*x + b on the data, in double precision. */
    static double cost(LabData.XY d, double w, double b) {
        double s = 0;
        for (int i = 0; i < d.size(); i++) {
            double e = w * d.x()[i] + b - d.y()[i];
            s += e * e;
        }
        return s / d.size();
    }

    /** The closed-form minimum (normal equations): {slope, offset}. */
    static double[] leastSquares(LabData.XY d) {
        double mx = 0, my = 0;
        for (int i = 0; i < d.size(); i++) {
            mx += d.x()[i];
            my += d.y()[i];
        }
        mx /= d.size();
        my /= d.size();
        double sxy = 0, sxx = 0;
        for (int i = 0; i < d.size(); i++) {
            sxy += (d.x()[i] - mx) * (d.y()[i] - my);
            sxx += (d.x()[i] - mx) * (d.x()[i] - mx);
        }
        double w = sxy / sxx;
        return new double[] {w, my - w * mx};
    }

    /** Records (w, b) at the start and after every optimizer step. */
    private static final class Path implements TrainingListener {
        final Linear model;
        double[] w = new double[1024], b = new double[1024];
        int n;

        Path(Linear model) {
            this.model = model;
            record();
        }

        @Override public void onBatch(int epoch, int batch, double loss, int samples) { record(); }

        private void record() {
            if (n == w.length) {
                w = java.util.Arrays.copyOf(w, 2 * n);
                b = java.util.Arrays.copyOf(b, 2 * n);
            }
            w[n] = model.weight().data().get(0, 0);
            b[n] = model.bias().data().get(0);
            n++;
        }
    }
}
