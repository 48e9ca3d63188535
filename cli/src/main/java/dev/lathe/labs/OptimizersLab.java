package dev.lathe.labs;

import dev.lathe.autograd.Variable;
import dev.lathe.optim.Optimizer;
import dev.lathe.plot.Charts;
import dev.lathe.plot.Contours;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * GD, SGD, momentum, RMSProp and Adam (the library's optimizers, on one parameter vector) on a
 * two-variable cost with a global minimum, a local minimum and a saddle between them:
 * f(x, y) = (x^2 - 1)^2 + 0.3 x + 2 (y - x/2)^2. SGD is gradient descent with Gaussian noise added
 * to each gradient, standing in for minibatch noise.
 */
final class OptimizersLab implements Lab {
    static final double START_X = 1.9, START_Y = 2.0;

    @Override public String name() { return "optimizers"; }

    @Override public String description() { return "GD, SGD, momentum, RMSProp, Adam paths on a surface with a saddle and a local minimum"; }

    private record Setting(String label, String optimizer, double lr, double noise) {}

    static double f(double x, double y) { return (x * x - 1) * (x * x - 1) + 0.3 * x + 2 * (y - x / 2) * (y - x / 2); }

    /** The same cost as a graph of library ops, so autodiff gives its gradient. */
    static Variable f(Variable p) {
        Variable x = p.slice(0, 0, 1), y = p.slice(0, 1, 2);
        Variable one = Variable.constant(Tensor.scalar(1));
        Variable well = x.pow(2).sub(one).pow(2);
        Variable valley = y.sub(x.mul(0.5)).pow(2).mul(2);
        return well.add(x.mul(0.3)).add(valley).sum();
    }

    /** x of the saddle point between the two wells (where the ridge is crossed): a root of 4x(x^2-1) + 0.3 = 0 near 0. */
    static double saddleX() {
        double x = 0;
        for (int i = 0; i < 50; i++) x -= (4 * x * (x * x - 1) + 0.3) / (12 * x * x - 4);
        return x;
    }

    @Override public LabResult run(LabContext ctx) throws IOException {
        Setting[] settings = {new Setting("GD", "sgd", 0.02, 0), new Setting("SGD (noisy gradient)", "sgd", 0.02, 2.0),
            new Setting("momentum 0.9", "momentum", 0.01, 0), new Setting("RMSProp", "rmsprop", 0.02, 0), new Setting("Adam", "adam", 0.05, 0)};
        int steps = ctx.size(400, 200);
        double sx = saddleX();
        Contours.Surface surface = OptimizersLab::f;
        XYChart c = Charts.xy("Optimizer paths on f(x,y) = (x²-1)² + 0.3x + 2(y - x/2)²", "x", "y");
        Contours.draw(c, surface, -2, 2, -1.5, 2.5, Contours.quadraticLevels(surface, -2, 2, -1.5, 2.5, 22));
        LabResult r = new LabResult(name());
        r.line(String.format(Locale.ROOT, "start (%.2f, %.2f) f=%.3f; global minimum near x=-1.04, local near x=+0.96, saddle at (%.3f, %.3f)",
                START_X, START_Y, f(START_X, START_Y), sx, sx / 2));
        Random noise = new Random(ctx.seed());
        for (int k = 0; k < settings.length; k++) {
            Setting s = settings[k];
            Variable p = Variable.parameter(Tensor.of(new float[] {(float) START_X, (float) START_Y}, 2));
            Optimizer opt = Optimizer.named(s.optimizer(), List.of(p), s.lr(), 0);
            double[] px = new double[steps + 1], py = new double[steps + 1];
            px[0] = START_X;
            py[0] = START_Y;
            for (int t = 1; t <= steps; t++) {
                opt.zeroGrad();
                f(p).backward();
                if (s.noise() > 0) p.grad().addInPlace(Tensor.of(new float[] {(float) (s.noise() * noise.nextGaussian()), (float) (s.noise() * noise.nextGaussian())}, 2));
                opt.step();
                px[t] = p.data().get(0);
                py[t] = p.data().get(1);
            }
            Charts.line(c, s.label(), px, py).setLineColor(Charts.palette(k));
            double fx = px[steps], fy = py[steps];
            String key = s.label().split(" ")[0].toLowerCase(Locale.ROOT);
            boolean global = fx < sx;
            r.line(String.format(Locale.ROOT, "%-22s lr %-6s end (%.3f, %.3f) f=%.4f  %s minimum", s.label(), s.lr(), fx, fy, f(fx, fy),
                    global ? "global" : "local"));
            r.number(key + "_final_f", f(fx, fy)).number(key + "_in_global_basin", global ? 1 : 0).number(key + "_final_x", fx);
        }
        Charts.points(c, "start", new double[] {START_X}, new double[] {START_Y}).setMarker(SeriesMarkers.DIAMOND);
        Charts.points(c, "saddle", new double[] {sx}, new double[] {sx / 2}).setMarker(SeriesMarkers.CROSS);
        r.number("start_f", f(START_X, START_Y)).number("steps", steps);
        r.file(Charts.save(c, ctx.file(name(), "paths.png")));
        return r;
    }
}
