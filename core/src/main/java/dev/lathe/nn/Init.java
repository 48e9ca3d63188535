package dev.lathe.nn;

import dev.lathe.tensor.Tensor;
import java.util.Random;

/**
 * Weight initializers, each drawing from a caller-supplied seeded generator. Fan-in and fan-out
 * are those of the layer (for a dense layer: inputs and outputs).
 */
@FunctionalInterface
public interface Init {
    /** A new float32 tensor of {@code shape}. */
    Tensor create(Random rnd, int fanIn, int fanOut, int... shape);

    /** He/Kaiming uniform for ReLU nets: U(-b, b), b = sqrt(6 / fanIn). */
    static Init heUniform() { return (rnd, in, out, shape) -> uniformBound(rnd, Math.sqrt(6.0 / in), shape); }

    /** He/Kaiming normal: N(0, 2 / fanIn). */
    static Init heNormal() { return (rnd, in, out, shape) -> Tensor.normal(rnd, 0, Math.sqrt(2.0 / in), shape); }

    /** Xavier/Glorot uniform for tanh/sigmoid nets: b = sqrt(6 / (fanIn + fanOut)). */
    static Init xavierUniform() { return (rnd, in, out, shape) -> uniformBound(rnd, Math.sqrt(6.0 / (in + out)), shape); }

    /** Xavier/Glorot normal: N(0, 2 / (fanIn + fanOut)). */
    static Init xavierNormal() { return (rnd, in, out, shape) -> Tensor.normal(rnd, 0, Math.sqrt(2.0 / (in + out)), shape); }

    /** PyTorch's default for Linear and Conv: U(-1/sqrt(fanIn), 1/sqrt(fanIn)). */
    static Init lecunUniform() { return (rnd, in, out, shape) -> uniformBound(rnd, 1.0 / Math.sqrt(in), shape); }

    static Init uniform(double lo, double hi) { return (rnd, in, out, shape) -> Tensor.uniform(rnd, lo, hi, shape); }

    static Init normal(double mean, double std) { return (rnd, in, out, shape) -> Tensor.normal(rnd, mean, std, shape); }

    static Init zeros() { return (rnd, in, out, shape) -> Tensor.zeros(shape); }

    static Init constant(double v) { return (rnd, in, out, shape) -> Tensor.full(dev.lathe.tensor.DType.FLOAT32, v, shape); }

    /** Looks up an initializer by name: he, he_normal, xavier, xavier_normal, lecun, zeros. */
    static Init named(String name) {
        return switch (name) {
            case "he", "he_uniform", "kaiming" -> heUniform();
            case "he_normal" -> heNormal();
            case "xavier", "glorot", "xavier_uniform" -> xavierUniform();
            case "xavier_normal", "glorot_normal" -> xavierNormal();
            case "lecun", "torch" -> lecunUniform();
            case "zeros" -> zeros();
            default -> throw new IllegalArgumentException("unknown initializer '" + name + "' (he, he_normal, xavier, xavier_normal, lecun, zeros)");
        };
    }

    private static Tensor uniformBound(Random rnd, double b, int... shape) { return Tensor.uniform(rnd, -b, b, shape); }
}
