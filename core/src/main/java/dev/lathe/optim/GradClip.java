package dev.lathe.optim;

import dev.lathe.autograd.Variable;
import java.util.List;

/** Gradient clipping by global L2 norm. */
public final class GradClip {
    private GradClip() {}

    /** Scales all gradients so their joint L2 norm is at most {@code maxNorm}; returns the norm before clipping. */
    public static double byNorm(List<Variable> params, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clip: max norm must be positive, got " + maxNorm);
        double sq = 0;
        for (Variable p : params) {
            if (p.grad() == null) continue;
            for (float g : p.grad().floatData()) sq += (double) g * g;
        }
        double norm = Math.sqrt(sq);
        if (norm > maxNorm) {
            float s = (float) (maxNorm / (norm + 1e-6));
            for (Variable p : params) {
                if (p.grad() == null) continue;
                float[] g = p.grad().floatData();
                for (int i = 0; i < g.length; i++) g[i] *= s;
            }
        }
        return norm;
    }
}
