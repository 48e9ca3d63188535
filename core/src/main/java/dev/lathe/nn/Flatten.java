package dev.lathe.nn;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.tensor.Shape;

/** Flattens every axis after the batch: [B, d1, d2, ...] -> [B, d1*d2*...]. */
public final class Flatten extends Module {
    @Override public Variable forward(Variable x) {
        int[] s = x.shape();
        if (s.length == 0) throw new IllegalArgumentException("Flatten: input is a scalar, expected [batch, ...]");
        return s.length == 2 ? x : Ops.reshape(x, s[0], -1);
    }

    @Override public Shape outputShape(Shape input) {
        if (input.rank() == 0) throw new IllegalArgumentException("Flatten: input shape " + input + " has no batch axis");
        return Shape.of(input.dim(0), (int) input.sampleSize());
    }
}
