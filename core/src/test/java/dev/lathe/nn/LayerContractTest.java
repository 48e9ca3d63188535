package dev.lathe.nn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.autograd.GradCheck;
import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.optim.Sgd;
import dev.lathe.tensor.DType;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** One contract for every layer: shapes, gradients, state round trip, and a training step. */
class LayerContractTest {
    record Case(String name, Supplier<Module> make, int[] inputShape) {
        @Override public String toString() { return name; }
    }

    static Stream<Case> layers() {
        return Stream.of(
                new Case("linear", () -> new Linear(4, 3), new int[] {5, 4}),
                new Case("linear-no-bias-3d", () -> new Linear(4, 2, false, Init.xavierNormal()), new int[] {2, 3, 4}),
                new Case("relu", Activation::relu, new int[] {3, 4}),
                new Case("leaky-relu", () -> Activation.leakyRelu(0.1), new int[] {3, 4}),
                new Case("sigmoid", Activation::sigmoid, new int[] {3, 4}),
                new Case("tanh", Activation::tanh, new int[] {3, 4}),
                new Case("softmax", Activation::softmax, new int[] {3, 4}),
                new Case("log-softmax", Activation::logSoftmax, new int[] {3, 4}),
                new Case("dropout-eval", () -> new Dropout(0.5).eval(), new int[] {3, 4}),
                new Case("flatten", Flatten::new, new int[] {2, 3, 2}),
                new Case("relu6", Activation::relu6, new int[] {3, 4}),
                new Case("conv2d", () -> Conv2d.builder(2, 3, 3).padding(1).build(), new int[] {2, 2, 5, 5}),
                new Case("conv2d-same-dilated", () -> Conv2d.builder(2, 2, 3).same().dilation(2).bias(false).build(), new int[] {1, 2, 6, 6}),
                new Case("conv2d-stride2-grouped", () -> Conv2d.builder(4, 6, 3).stride(2).padding(1).groups(2).build(), new int[] {2, 4, 5, 5}),
                new Case("conv2d-depthwise", () -> Conv2d.builder(3, 3, 3).padding(1).groups(3).build(), new int[] {2, 3, 4, 4}),
                new Case("conv2d-pointwise", () -> new Conv2d(3, 4, 1), new int[] {2, 3, 3, 3}),
                new Case("maxpool", () -> Pool2d.max(2), new int[] {2, 2, 4, 4}),
                new Case("maxpool-3s2p1", () -> Pool2d.max(3, 2, 1), new int[] {1, 2, 5, 5}),
                new Case("avgpool", () -> Pool2d.average(2), new int[] {2, 2, 4, 6}),
                new Case("global-avgpool", Pool2d::globalAverage, new int[] {2, 3, 3, 2}),
                new Case("batchnorm-train", () -> new BatchNorm2d(3), new int[] {4, 3, 2, 2}),
                new Case("batchnorm-eval", () -> new BatchNorm2d(3).eval(), new int[] {2, 3, 2, 2}),
                new Case("cnn", () -> new Sequential(Conv2d.builder(1, 2, 3).padding(1).build(), new BatchNorm2d(2), Activation.relu6(),
                        Pool2d.max(2), new Flatten(), new Linear(8, 3)), new int[] {3, 1, 4, 4}),
                new Case("mlp", () -> new Sequential(new Flatten(), new Linear(6, 5), Activation.tanh(), new Linear(5, 2)), new int[] {3, 2, 3}),
                new Case("relu-maxpool-fused", () -> new Sequential(Activation.relu(), Pool2d.max(2)), new int[] {2, 2, 4, 4}),
                new Case("maxpool-ceil", () -> Pool2d.maxCeil(3, 2, 0), new int[] {1, 2, 6, 6}),
                new Case("graph-residual", () -> {
                    Graph.Builder g = Graph.builder();
                    String y = g.chain("body", Graph.INPUT, Conv2d.builder(2, 2, 3).padding(1).build(), Activation.tanh());
                    return g.build(g.add("sum", Merge.add(), y, Graph.INPUT));
                }, new int[] {2, 2, 4, 4}),
                new Case("graph-basic-block-downsample", () -> block(g -> dev.lathe.models.Blocks.basic(g, "b", Graph.INPUT, 2, 3, 2)), new int[] {2, 2, 5, 5}),
                new Case("graph-naive-inception", () -> block(g -> dev.lathe.models.Blocks.naiveInception(g, "inc", Graph.INPUT, 2, 1, 2, 1)), new int[] {1, 2, 5, 5}),
                new Case("graph-fire", () -> block(g -> dev.lathe.models.Blocks.fire(g, "fire", Graph.INPUT, 3, 2, 2, 2)), new int[] {2, 3, 4, 4}),
                new Case("graph-inverted-residual", () -> block(g -> dev.lathe.models.Blocks.invertedResidual(g, "ir", Graph.INPUT, 2, 2, 1, 3)), new int[] {2, 2, 4, 4}),
                new Case("graph-dense-block", () -> block(g -> dev.lathe.models.Blocks.denseBlock(g, "dense", Graph.INPUT, 2, 2, 2, 2)), new int[] {3, 2, 3, 3}),
                new Case("upsample-nearest", () -> Upsample.nearest(2), new int[] {2, 2, 3, 3}),
                new Case("upsample-bilinear-2x3", () -> new Upsample(dev.lathe.kernels.Resize.Mode.BILINEAR, 2, 3), new int[] {2, 2, 3, 4}),
                new Case("conv-transpose-s2p1-outpad", () -> ConvTranspose2d.builder(3, 2, 3).stride(2).padding(1).outputPadding(1).build(), new int[] {2, 3, 3, 3}),
                new Case("conv-transpose-k2s2-grouped", () -> ConvTranspose2d.builder(4, 6, 2).stride(2).groups(2).bias(false).build(), new int[] {1, 4, 3, 2}),
                new Case("segmentation-decoder", () -> new Sequential(Conv2d.builder(2, 4, 3).stride(2).padding(1).build(), Activation.relu(),
                        ConvTranspose2d.builder(4, 3, 2).stride(2).build(), Upsample.bilinear(2), new Conv2d(3, 2, 1)), new int[] {2, 2, 4, 4}));
    }

    static Graph block(java.util.function.Function<Graph.Builder, String> body) {
        Graph.Builder g = Graph.builder();
        return g.build(body.apply(g));
    }

    static Tensor input(int[] shape, long seed) {
        Random r = new Random(seed);
        Tensor t = Tensor.zeros(DType.FLOAT64, shape);
        Tensor f = t.reshape(-1);
        // away from 0 so ReLU kinks are not straddled by finite differences
        for (int i = 0; i < f.numel(); i++) {
            double v = r.nextDouble() * 2 - 1;
            f.set(v >= 0 ? v + 0.05 : v - 0.05, i);
        }
        return t;
    }

    @ParameterizedTest @MethodSource("layers")
    void outputShapeMatchesForward(Case c) {
        Module m = c.make().get();
        Variable y = m.forward(Variable.constant(input(c.inputShape(), 1).to(DType.FLOAT32)));
        int[] in = c.inputShape().clone();
        Shape expected = m.outputShape(Shape.of(in));
        assertThat(y.shape()).containsExactly(expected.dims());
        int[] batchless = in.clone();
        batchless[0] = Shape.ANY;
        assertThat(m.outputShape(Shape.of(batchless)).dim(0)).isEqualTo(Shape.ANY);
    }

    @ParameterizedTest @MethodSource("layers")
    void gradientsMatchFiniteDifferences(Case c) {
        Module m = c.make().get();
        m.resetParameters(new Random(3));
        // non-zero biases: with zero ones, a ReLU fed only by zeros sits exactly on its kink, where finite differences straddle it
        Random b = new Random(4);
        m.namedParameters().forEach((k, v) -> {
            if (k.endsWith("bias")) v.data().assign(Tensor.uniform(b, -0.5, 0.5, v.shape()));
        });
        m.to(DType.FLOAT64);
        Variable x = Variable.parameter(input(c.inputShape(), 2));
        List<Variable> leaves = new ArrayList<>();
        leaves.add(x);
        leaves.addAll(m.parameters());
        GradCheck.Result r = GradCheck.check(() -> m.forward(x), leaves);
        assertThat(r.passed()).as(r.toString()).isTrue();
    }

    @ParameterizedTest @MethodSource("layers")
    void stateDictRoundTripReproducesOutputs(Case c) {
        Module a = c.make().get(), b = c.make().get();
        a.resetParameters(new Random(4));
        b.resetParameters(new Random(5));
        b.loadStateDict(a.stateDict());
        Tensor x = input(c.inputShape(), 6).to(DType.FLOAT32);
        assertThat(b.forward(Variable.constant(x)).data().toFloatArray()).containsExactly(a.forward(Variable.constant(x)).data().toFloatArray());
        Map<String, Tensor> state = a.stateDict();
        java.util.Set<String> expected = new java.util.LinkedHashSet<>(a.namedParameters().keySet());
        expected.addAll(a.namedBuffers().keySet());
        assertThat(state.keySet()).isEqualTo(expected);
    }

    /** Past autograd: the layer freezes into the runtime IR and a batch-1 session computes what its forward does, sample by sample. */
    @ParameterizedTest @MethodSource("layers")
    void frozenSessionComputesTheForward(Case c) {
        Module m = c.make().get();
        m.resetParameters(new Random(9));
        m.eval();
        int[] in = c.inputShape();
        int[] sample = in.clone();
        sample[0] = Shape.ANY;
        dev.lathe.runtime.Session s = dev.lathe.runtime.InferencePlan.freeze(m, Shape.of(sample)).session();
        Tensor x = input(in, 10).to(DType.FLOAT32);
        float[] all = x.toFloatArray(), expected = m.forward(Variable.constant(x)).data().toFloatArray();
        int per = all.length / in[0], outPer = expected.length / in[0];
        for (int n = 0; n < in[0]; n++) {
            float[] got = s.predict(java.util.Arrays.copyOfRange(all, n * per, (n + 1) * per));
            assertThat(got).as("sample " + n).usingComparatorWithPrecision(1e-4f).containsExactly(java.util.Arrays.copyOfRange(expected, n * outPer, (n + 1) * outPer));
        }
    }

    @ParameterizedTest @MethodSource("layers")
    void oneTrainingStepLowersALoss(Case c) {
        Module m = c.make().get();
        m.resetParameters(new Random(7));
        if (m.parameters().isEmpty()) return;  // nothing to train in parameter-free layers
        Tensor x = input(c.inputShape(), 8).to(DType.FLOAT32);
        Variable target = Variable.constant(Tensor.zeros(m.forward(Variable.constant(x)).shape()).add(0.3));
        Sgd opt = new Sgd(m.parameters(), 0.01);
        Variable loss = Ops.mse(m.forward(Variable.constant(x)), target);
        double before = loss.data().item();
        loss.backward();
        opt.step();
        double after = Ops.mse(m.forward(Variable.constant(x)), target).data().item();
        assertThat(after).isLessThan(before);
    }
}
