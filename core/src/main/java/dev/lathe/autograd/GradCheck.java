package dev.lathe.autograd;

import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Compares backpropagated gradients with central finite differences in float64. The output is
 * projected onto fixed random weights, so every output element's gradient path is exercised.
 *
 * <pre>{@code
 * GradCheck.Result r = GradCheck.check(v -> v[0].mul(v[1]).sum(), x, y);
 * assert r.passed();
 * }</pre>
 */
public final class GradCheck {
    private GradCheck() {}

    static final double EPS = 1e-6, ATOL = 1e-7, RTOL = 1e-5;

    /** Worst disagreement found, and where. */
    public record Result(double maxError, String worst) {
        /** True when every gradient element agrees within |a - n| <= 1e-7 + 1e-5 |n|. */
        public boolean passed() { return maxError <= 1.0; }

        @Override public String toString() { return "GradCheck(max error ratio " + maxError + " at " + worst + ")"; }
    }

    /** Checks f at the given inputs (converted to float64); every input receives a gradient. */
    public static Result check(Function<Variable[], Variable> f, Tensor... inputs) {
        Variable[] vars = new Variable[inputs.length];
        for (int i = 0; i < inputs.length; i++) vars[i] = Variable.parameter(inputs[i].to(DType.FLOAT64).copy());
        return check(() -> f.apply(vars), List.of(vars));
    }

    /**
     * Checks a computation over leaves it closes over (for layers: the input and the layer's
     * parameters, all float64). Leaves are perturbed in place and restored.
     */
    public static Result check(Supplier<Variable> f, List<Variable> leaves) {
        for (Variable v : leaves) {
            if (v.dtype() != DType.FLOAT64) throw new IllegalArgumentException("GradCheck: leaf " + v + " must be float64");
            v.zeroGrad();
        }
        Variable out = f.get();
        Tensor weights = projection(out.data().shape());
        out.backward(weights);
        List<Tensor> analytic = new ArrayList<>();
        for (Variable v : leaves) analytic.add(v.grad() == null ? Tensor.zeros(DType.FLOAT64, v.data().shape()) : v.grad().copy());

        double worst = 0;
        String where = "nowhere";
        try (GradMode.Scope s = GradMode.noGrad()) {
            for (int li = 0; li < leaves.size(); li++) {
                Tensor x = leaves.get(li).data();
                Tensor flat = x.reshape(-1);
                Tensor a = analytic.get(li).reshape(-1);
                for (int j = 0; j < flat.numel(); j++) {
                    double orig = flat.get(j);
                    flat.set(orig + EPS, j);
                    double up = project(f.get().data(), weights);
                    flat.set(orig - EPS, j);
                    double down = project(f.get().data(), weights);
                    flat.set(orig, j);
                    double numeric = (up - down) / (2 * EPS);
                    double err = Math.abs(a.get(j) - numeric) / (ATOL + RTOL * Math.abs(numeric));
                    if (err > worst || Double.isNaN(err)) {
                        worst = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                        where = "leaf " + li + " element " + j + ": analytic " + a.get(j) + ", numeric " + numeric;
                    }
                }
            }
        }
        for (Variable v : leaves) v.zeroGrad();
        return new Result(worst, where);
    }

    private static Tensor projection(int[] shape) {
        Random rnd = new Random(1234);
        Tensor w = Tensor.zeros(DType.FLOAT64, shape);
        Tensor flat = w.reshape(-1);
        for (int i = 0; i < flat.numel(); i++) flat.set(rnd.nextDouble() * 2 - 1, i);
        return w;
    }

    private static double project(Tensor out, Tensor weights) { return out.to(DType.FLOAT64).mul(weights).sum().item(); }
}
