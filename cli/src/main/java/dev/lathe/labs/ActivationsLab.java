package dev.lathe.labs;

import dev.lathe.autograd.Variable;
import dev.lathe.plot.Charts;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import org.knowm.xchart.XYChart;

/**
 * Sigmoid, tanh, ReLU and leaky ReLU with their derivatives. The derivatives come from the
 * library's autodiff (backward through each op) and are checked against the closed forms.
 */
final class ActivationsLab implements Lab {
    @Override public String name() { return "activations"; }

    @Override public String description() { return "sigmoid, tanh, ReLU, leaky ReLU and their derivatives (by autodiff) on one chart"; }

    private record Act(String name, UnaryOperator<Variable> f, DoubleUnaryOperator derivative) {}

    @Override public LabResult run(LabContext ctx) throws IOException {
        Act[] acts = {
            new Act("sigmoid", Variable::sigmoid, x -> { double s = 1 / (1 + Math.exp(-x)); return s * (1 - s); }),
            new Act("tanh", Variable::tanh, x -> 1 - Math.tanh(x) * Math.tanh(x)),
            new Act("relu", Variable::relu, x -> x > 0 ? 1 : 0),
            new Act("leaky relu (0.1)", v -> v.leakyRelu(0.1), x -> x > 0 ? 1 : 0.1),
        };
        // an even count keeps x = 0 (where ReLU has no derivative) off the grid
        float[] grid = LabData.grid(ctx.size(400, 40), -5, 5);
        double[] xs = LabData.toDouble(grid);
        XYChart chart = Charts.xy("Activation functions (solid) and their derivatives by autodiff (dashed)", "x", "f(x), f'(x)");
        LabResult r = new LabResult(name());
        double worst = 0;
        for (int a = 0; a < acts.length; a++) {
            Variable x = Variable.parameter(Tensor.of(grid.clone(), grid.length));
            Variable y = acts[a].f().apply(x);
            y.sum().backward();
            double[] fx = y.data().toDoubleArray(), dfx = x.grad().toDoubleArray();
            for (int i = 0; i < xs.length; i++) worst = Math.max(worst, Math.abs(dfx[i] - acts[a].derivative().applyAsDouble(xs[i])));
            Charts.line(chart, acts[a].name(), xs, fx).setLineColor(Charts.palette(a));
            Charts.line(chart, acts[a].name() + "'", xs, dfx).setLineColor(Charts.palette(a))
                    .setLineStyle(Charts.DASHED);
            r.number(key(acts[a].name()) + "_max_slope", max(dfx));
        }
        r.line("the largest slope of sigmoid is 1/4: ten stacked sigmoids scale a gradient by at most 4^-10 ~ 1e-6 (vanishing gradients);");
        r.line("tanh's is 1 at 0; ReLU passes gradients unchanged where active and blocks them where not; leaky ReLU keeps a 0.1 trickle.");
        r.number("max_abs_error_autodiff_vs_closed_form", worst);
        Charts.range(chart, -5, 5, -1.2, 5.2);
        r.file(Charts.save(chart, ctx.file(name(), "functions.png")));
        return r;
    }

    private static String key(String name) { return name.replaceAll("[^a-z]+", "_").replaceAll("_+$", ""); }

    private static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double d : v) m = Math.max(m, d);
        return m;
    }
}
