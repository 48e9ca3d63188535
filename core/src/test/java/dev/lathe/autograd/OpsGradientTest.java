package dev.lathe.autograd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Finite-difference gradient checks (float64) for every primitive and composite op. */
class OpsGradientTest {
    private static final Random RND = new Random(7);

    static Tensor rand(int... shape) {
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        Tensor f = t.reshape(-1);
        for (int i = 0; i < f.numel(); i++) f.set(RND.nextDouble() * 2 - 1, i);
        return t;
    }

    /** Values away from 0 (for relu kinks) and positive when needed (log, sqrt, pow). */
    static Tensor positive(int... shape) { return rand(shape).mul(0.4).add(1.0); }

    static Tensor awayFromZero(int... shape) {
        Tensor t = rand(shape);
        Tensor f = t.reshape(-1);
        for (int i = 0; i < f.numel(); i++) {
            double v = f.get(i);
            f.set(v >= 0 ? v + 0.1 : v - 0.1, i);
        }
        return t;
    }

    static void ok(Function<Variable[], Variable> f, Tensor... in) {
        GradCheck.Result r = GradCheck.check(f, in);
        assertThat(r.passed()).as(r.toString()).isTrue();
    }

    @Test void addSubMulDivSameShape() {
        ok(v -> v[0].add(v[1]), rand(3, 4), rand(3, 4));
        ok(v -> v[0].sub(v[1]), rand(3, 4), rand(3, 4));
        ok(v -> v[0].mul(v[1]), rand(3, 4), rand(3, 4));
        ok(v -> v[0].div(v[1]), rand(3, 4), positive(3, 4));
    }

    @Test void broadcastingSumsGradientBackToEachShape() {
        ok(v -> v[0].add(v[1]), rand(2, 3, 4), rand(4));
        ok(v -> v[0].mul(v[1]), rand(2, 1, 4), rand(3, 1));
        ok(v -> v[0].sub(v[1]), rand(5), rand(2, 5));
        ok(v -> v[0].div(v[1]), rand(2, 3), positive(1, 3));
    }

    @Test void valueUsedTwiceGetsBothContributions() {
        ok(v -> v[0].mul(v[0]).add(v[0]), rand(3, 2));
    }

    @Test void unaryFunctions() {
        ok(v -> v[0].neg(), rand(4));
        ok(v -> v[0].mul(2.5), rand(4));
        ok(v -> v[0].pow(3), rand(2, 3));
        ok(v -> v[0].pow(-1.5), positive(2, 3));
        ok(v -> v[0].exp(), rand(2, 3));
        ok(v -> v[0].log(), positive(2, 3));
        ok(v -> v[0].sqrt(), positive(2, 3));
    }

    @Test void activations() {
        ok(v -> v[0].relu(), awayFromZero(3, 5));
        ok(v -> v[0].leakyRelu(0.1), awayFromZero(3, 5));
        ok(v -> v[0].sigmoid(), rand(3, 5).mul(4));
        ok(v -> Ops.clamp(v[0], -0.5, 0.5), awayFromZero(3, 5).mul(0.9));
        ok(v -> v[0].tanh(), rand(3, 5).mul(2));
        ok(v -> v[0].softmax(1), rand(3, 5).mul(3));
        ok(v -> v[0].softmax(0), rand(3, 5));
        ok(v -> v[0].logSoftmax(-1), rand(2, 3, 4).mul(3));
        ok(v -> v[0].logSoftmax(1), rand(2, 3, 4));
    }

    @Test void matmulAllShapes() {
        ok(v -> v[0].matmul(v[1]), rand(3, 4), rand(4, 5));
        ok(v -> v[0].matmul(v[1]), rand(2, 3, 4), rand(2, 4, 2));
        ok(v -> v[0].matmul(v[1]), rand(2, 3, 4), rand(4, 2));      // batch broadcast
        ok(v -> v[0].matmul(v[1]), rand(4), rand(4, 3));            // vector @ matrix
        ok(v -> v[0].matmul(v[1]), rand(3, 4), rand(4));            // matrix @ vector
        ok(v -> v[0].matmul(v[1]), rand(4), rand(4));               // dot
        ok(v -> v[0].matmul(v[1].transpose(0, 1)), rand(3, 4), rand(5, 4)); // strided operand
    }

    @Test void fusedLinear() {
        ok(v -> Ops.linear(v[0], v[1], v[2]), rand(5, 4), rand(3, 4), rand(3));
        ok(v -> Ops.linear(v[0], v[1], null), rand(2, 3, 4), rand(2, 4));
    }

    @Test void convolutionAndPooling() {
        ok(v -> Ops.conv2d(v[0], v[1], v[2], dev.lathe.tensor.ConvSpec.of(1, 1)), rand(2, 2, 5, 5), rand(3, 2, 3, 3), rand(3));
        ok(v -> Ops.conv2d(v[0], v[1], null, new dev.lathe.tensor.ConvSpec(2, 1, 1, 0, 1, 2, 2)), rand(1, 4, 6, 7), rand(2, 2, 3, 2));
        ok(v -> Ops.conv2d(v[0], v[1], v[2], dev.lathe.tensor.ConvSpec.of(2, 1).withGroups(3)), rand(2, 3, 5, 5), rand(3, 1, 3, 3), rand(3));
        // transposed convolution: non-square kernel, unequal strides and pads, output padding, groups
        ok(v -> Ops.convTranspose2d(v[0], v[1], v[2], new dev.lathe.tensor.ConvSpec(2, 3, 1, 0, 1, 1, 1), 1, 2), rand(2, 3, 3, 4), rand(3, 2, 3, 2), rand(2));
        ok(v -> Ops.convTranspose2d(v[0], v[1], null, dev.lathe.tensor.ConvSpec.of(2, 0).withGroups(2), 0, 0), rand(1, 4, 2, 3), rand(4, 3, 2, 2));
        // resize: nearest and bilinear, unequal factors (bilinear is linear in x: finite differences are exact up to rounding)
        ok(v -> Ops.resize(v[0], dev.lathe.kernels.Resize.Mode.NEAREST, 2, 3), rand(2, 2, 3, 2));
        ok(v -> Ops.resize(v[0], dev.lathe.kernels.Resize.Mode.BILINEAR, 3, 2), rand(1, 2, 4, 3));
        ok(v -> Ops.maxPool2d(v[0], dev.lathe.tensor.PoolSpec.of(2, 2, 0)), rand(2, 2, 4, 6));
        ok(v -> Ops.maxPool2d(v[0], dev.lathe.tensor.PoolSpec.of(3, 2, 1)), rand(1, 2, 5, 5));
        ok(v -> Ops.avgPool2d(v[0], dev.lathe.tensor.PoolSpec.of(3, 2, 1), true), rand(1, 2, 5, 5));
        ok(v -> Ops.avgPool2d(v[0], dev.lathe.tensor.PoolSpec.of(3, 2, 1), false), rand(1, 2, 5, 5));
    }

    @Test void reductions() {
        ok(v -> v[0].sum(), rand(3, 4));
        ok(v -> v[0].sum(new int[] {1}, false), rand(3, 4, 2));
        ok(v -> v[0].sum(new int[] {0, 2}, true), rand(3, 4, 2));
        ok(v -> v[0].mean(), rand(3, 4));
        ok(v -> Ops.mean(v[0], new int[] {0}, false), rand(3, 4));
        ok(v -> v[0].max(1, false), rand(3, 6));
        ok(v -> v[0].max(0, true), rand(4, 2, 3));
    }

    @Test void shapeOps() {
        ok(v -> v[0].reshape(6, 2).mul(v[0].reshape(6, 2)), rand(3, 4));
        ok(v -> v[0].permute(2, 0, 1).mul(v[1]), rand(2, 3, 4), rand(4, 2, 3));
        ok(v -> v[0].transpose(0, 1).matmul(v[1]), rand(4, 3), rand(4, 2));
        ok(v -> v[0].slice(1, 1, 3), rand(3, 4));
        ok(v -> Ops.concat(1, v[0], v[1]), rand(2, 3), rand(2, 5));
        ok(v -> Ops.concat(0, v[0], v[1], v[0]), rand(1, 3), rand(2, 3));
    }

    @Test void losses() {
        ok(v -> Ops.softmaxCrossEntropy(v[0], new int[] {2, 0, 1}), rand(3, 4).mul(3));
        Tensor soft = rand(3, 4).softmax(1);
        ok(v -> Ops.softmaxCrossEntropy(v[0], soft), rand(3, 4));
        Tensor t = rand(2, 3).sigmoid();
        ok(v -> Ops.binaryCrossEntropy(v[0], t), rand(2, 3).sigmoid());
        ok(v -> Ops.binaryCrossEntropyWithLogits(v[0], t), rand(2, 3).mul(3));
        ok(v -> Ops.mse(v[0], v[1]), rand(4, 2), rand(4, 2));
    }
}
