package dev.lathe.nn;

import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Every registered layer, as the layer contract runs it: a name, how to make one, and an input shape
 * ([batch, ...]). Shared by the contract's stages in core (shape, gradients, state dict, training,
 * freeze and session, C and int8 export) and in lathe-onnx (ONNX export judged by ONNX Runtime): a
 * new layer added here goes through all of them.
 */
public final class LayerCases {
    private LayerCases() {}

    /** Layers the batch-1 runtime does not take (the recurrent stack runs in the char model's own int8 stepper and C export): freezing them is a named refusal. */
    public static final java.util.Set<String> NOT_IN_THE_RUNTIME = java.util.Set.of("lstm", "gru-2-layers");

    /**
     * A case's layer in evaluation mode with seeded weights, biases and batch-norm statistics away from
     * their initial zeros and ones, so an export that drops a term shows.
     */
    public static Module withState(Case c, long seed) {
        Module m = c.make().get();
        m.resetParameters(new java.util.Random(seed));
        java.util.Random b = new java.util.Random(seed + 1);
        m.namedParameters().forEach((k, v) -> { if (k.endsWith("bias")) v.data().assign(dev.lathe.tensor.Tensor.uniform(b, -0.5, 0.5, v.shape())); });
        m.namedBuffers().forEach((k, t) -> t.assign(dev.lathe.tensor.Tensor.uniform(b, k.endsWith("var") ? 0.5 : -0.5, k.endsWith("var") ? 1.5 : 0.5, t.shape())));
        return m.eval();
    }

    public record Case(String name, Supplier<Module> make, int[] inputShape) {
        @Override public String toString() { return name; }
    }

    public static Stream<Case> all() {
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
                new Case("lstm", () -> new Recurrent(Recurrent.Kind.LSTM, 3, 4, 1, 0), new int[] {2, 5, 3}),
                new Case("gru-2-layers", () -> new Recurrent(Recurrent.Kind.GRU, 3, 4, 2, 0), new int[] {2, 4, 3}),
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

}
