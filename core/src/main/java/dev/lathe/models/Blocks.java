package dev.lathe.models;

import dev.lathe.nn.Activation;
import dev.lathe.nn.BatchNorm2d;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Graph;
import dev.lathe.nn.Merge;
import dev.lathe.nn.Module;
import dev.lathe.nn.Pool2d;
import java.util.ArrayList;
import java.util.List;

/**
 * The building blocks of the course's architectures, each added to a {@link Graph} under a name
 * prefix and returning the name of its output node. Channel counts in, channel counts out: the
 * caller threads them through, so a block's parameter count is plain to read off.
 */
public final class Blocks {
    private Blocks() {}

    /** What follows a convolution's batch norm. */
    public enum Act { NONE, RELU, RELU6 }

    /** Convolution (no bias: the batch norm's shift replaces it), batch norm, activation. */
    public static String convBn(Graph.Builder g, String name, String in, int cin, int cout, int k, int stride, int groups, Act act, double eps) {
        String at = g.add(name, Conv2d.builder(cin, cout, k).stride(stride).padding((k - 1) / 2).groups(groups).bias(false).build(), in);
        at = g.add(name + "_bn", new BatchNorm2d(cout, eps, 0.1), at);
        return switch (act) {
            case NONE -> at;
            case RELU -> g.add(name + "_relu", Activation.relu(), at);
            case RELU6 -> g.add(name + "_relu6", Activation.relu6(), at);
        };
    }

    public static String convBn(Graph.Builder g, String name, String in, int cin, int cout, int k, int stride, Act act) {
        return convBn(g, name, in, cin, cout, k, stride, 1, act, 1e-5);
    }

    /** Convolution with bias, then ReLU (the pre-batch-norm style of AlexNet, VGG, SqueezeNet). */
    public static String convRelu(Graph.Builder g, String name, String in, int cin, int cout, int k, int stride, int pad) {
        String at = g.add(name, Conv2d.builder(cin, cout, k).stride(stride).padding(pad).build(), in);
        return g.add(name + "_relu", Activation.relu(), at);
    }

    /** ResNet basic block: 3x3 conv-BN-ReLU, 3x3 conv-BN, plus the input (1x1 conv-BN projection when the shape changes), ReLU. */
    public static String basic(Graph.Builder g, String name, String in, int cin, int planes, int stride) {
        String a = convBn(g, name + "_conv1", in, cin, planes, 3, stride, Act.RELU);
        String b = convBn(g, name + "_conv2", a, planes, planes, 3, 1, Act.NONE);
        String shortcut = stride != 1 || cin != planes ? convBn(g, name + "_downsample", in, cin, planes, 1, stride, Act.NONE) : in;
        return g.add(name + "_relu", Activation.relu(), g.add(name + "_add", Merge.add(), b, shortcut));
    }

    /** ResNet bottleneck (v1.5, stride on the 3x3): 1x1 reduce, 3x3, 1x1 expand to 4 x planes, plus the (projected) input, ReLU. */
    public static String bottleneck(Graph.Builder g, String name, String in, int cin, int planes, int stride) {
        String a = convBn(g, name + "_conv1", in, cin, planes, 1, 1, Act.RELU);
        String b = convBn(g, name + "_conv2", a, planes, planes, 3, stride, Act.RELU);
        String c = convBn(g, name + "_conv3", b, planes, 4 * planes, 1, 1, Act.NONE);
        String shortcut = stride != 1 || cin != 4 * planes ? convBn(g, name + "_downsample", in, cin, 4 * planes, 1, stride, Act.NONE) : in;
        return g.add(name + "_relu", Activation.relu(), g.add(name + "_add", Merge.add(), c, shortcut));
    }

    /** The naive Inception module: 1x1, 3x3 and 5x5 convolutions and a 3x3 max pool side by side, concatenated. */
    public static String naiveInception(Graph.Builder g, String name, String in, int cin, int c1, int c3, int c5) {
        String b1 = convRelu(g, name + "_1x1", in, cin, c1, 1, 1, 0);
        String b3 = convRelu(g, name + "_3x3", in, cin, c3, 3, 1, 1);
        String b5 = convRelu(g, name + "_5x5", in, cin, c5, 5, 1, 2);
        String bp = g.add(name + "_pool", Pool2d.max(3, 1, 1), in);
        return g.add(name + "_concat", Merge.concat(), b1, b3, b5, bp);
    }

    /**
     * The GoogLeNet Inception module: 1x1 reductions before the 3x3 and the "5x5" branch and after
     * the pool. As in torchvision's GoogLeNet (the reference for its parameter count), the "5x5"
     * branch uses a 3x3 kernel; pass {@code k5 = 5} for the paper's.
     */
    public static String inception(Graph.Builder g, String name, String in, int cin, int c1, int r3, int c3, int r5, int c5, int pool, int k5) {
        double eps = 1e-3;
        String b1 = convBn(g, name + "_b1", in, cin, c1, 1, 1, 1, Act.RELU, eps);
        String b2 = convBn(g, name + "_b2b", convBn(g, name + "_b2a", in, cin, r3, 1, 1, 1, Act.RELU, eps), r3, c3, 3, 1, 1, Act.RELU, eps);
        String b3 = convBn(g, name + "_b3b", convBn(g, name + "_b3a", in, cin, r5, 1, 1, 1, Act.RELU, eps), r5, c5, k5, 1, 1, Act.RELU, eps);
        String b4 = convBn(g, name + "_b4", g.add(name + "_b4pool", Pool2d.maxCeil(3, 1, 1), in), cin, pool, 1, 1, 1, Act.RELU, eps);
        return g.add(name + "_concat", Merge.concat(), b1, b2, b3, b4);
    }

    /** SqueezeNet Fire module: 1x1 squeeze, then 1x1 and 3x3 expands side by side, concatenated (all with bias and ReLU). */
    public static String fire(Graph.Builder g, String name, String in, int cin, int squeeze, int e1, int e3) {
        String s = convRelu(g, name + "_squeeze", in, cin, squeeze, 1, 1, 0);
        return g.add(name + "_concat", Merge.concat(), convRelu(g, name + "_expand1x1", s, squeeze, e1, 1, 1, 0),
                convRelu(g, name + "_expand3x3", s, squeeze, e3, 3, 1, 1));
    }

    /** MobileNet v1's depthwise-separable block: 3x3 depthwise conv-BN-ReLU6, then 1x1 pointwise conv-BN-ReLU6. */
    public static String separable(Graph.Builder g, String name, String in, int cin, int cout, int stride) {
        String dw = convBn(g, name + "_dw", in, cin, cin, 3, stride, cin, Act.RELU6, 1e-3);
        return convBn(g, name + "_pw", dw, cin, cout, 1, 1, 1, Act.RELU6, 1e-3);
    }

    /**
     * MobileNet v2's inverted residual: 1x1 expansion by t with ReLU6 (skipped when t = 1), 3x3
     * depthwise with ReLU6, 1x1 linear bottleneck (no activation: ReLU would destroy information in
     * the narrow space), plus the input when stride is 1 and the channels match.
     */
    public static String invertedResidual(Graph.Builder g, String name, String in, int cin, int cout, int stride, int t) {
        int hidden = cin * t;
        String at = t == 1 ? in : convBn(g, name + "_expand", in, cin, hidden, 1, 1, Act.RELU6);
        at = convBn(g, name + "_dw", at, hidden, hidden, 3, stride, hidden, Act.RELU6, 1e-5);
        at = convBn(g, name + "_project", at, hidden, cout, 1, 1, Act.NONE);
        return stride == 1 && cin == cout ? g.add(name + "_add", Merge.add(), at, in) : at;
    }

    /**
     * A DenseNet dense block: each layer (BN-ReLU-1x1 conv to bnSize x growth, BN-ReLU-3x3 conv to
     * growth) reads the concatenation of the block input and every earlier layer's output.
     * Returns the final concatenation; its channels are cin + layers x growth.
     */
    public static String denseBlock(Graph.Builder g, String name, String in, int cin, int layers, int growth, int bnSize) {
        String features = in;
        int c = cin;
        for (int i = 1; i <= layers; i++) {
            String l = name + "_layer" + i;
            String at = g.add(l + "_norm1", new BatchNorm2d(c), features);
            at = g.add(l + "_conv1", Conv2d.builder(c, bnSize * growth, 1).bias(false).build(), g.add(l + "_relu1", Activation.relu(), at));
            at = g.add(l + "_norm2", new BatchNorm2d(bnSize * growth), at);
            at = g.add(l + "_conv2", Conv2d.builder(bnSize * growth, growth, 3).padding(1).bias(false).build(), g.add(l + "_relu2", Activation.relu(), at));
            features = g.add(l + "_concat", Merge.concat(), features, at);
            c += growth;
        }
        return features;
    }

    /** DenseNet transition: BN, ReLU, 1x1 conv to cout, 2x2 average pool. */
    public static String transition(Graph.Builder g, String name, String in, int cin, int cout) {
        String at = g.add(name + "_relu", Activation.relu(), g.add(name + "_norm", new BatchNorm2d(cin), in));
        at = g.add(name + "_conv", Conv2d.builder(cin, cout, 1).bias(false).build(), at);
        return g.add(name + "_pool", Pool2d.average(2), at);
    }

    /** Layers as a list, for building Sequential models from a config. */
    static List<Module> list(Module... ms) { return new ArrayList<>(List.of(ms)); }
}
