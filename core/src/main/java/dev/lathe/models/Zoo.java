package dev.lathe.models;

import static dev.lathe.models.Blocks.Act;

import dev.lathe.nn.Activation;
import dev.lathe.nn.Dropout;
import dev.lathe.nn.Flatten;
import dev.lathe.nn.Graph;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Module;
import dev.lathe.nn.Pool2d;
import dev.lathe.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The course's architectures, each for any input size (channels x height x width) and number of
 * classes. At 3x224x224 with 1,000 classes the parameter counts equal the reference definitions
 * (torchvision's, Keras's for MobileNet v1). The classifier input of AlexNet and VGG is the size of
 * the feature map at the given input (torchvision pools it to 6x6 / 7x7 first, which at 224 is the
 * same map). The "-mini" variants are sized for 28x28 and 32x32 inputs and train here in minutes.
 *
 * <pre>{@code
 * Graph net = Zoo.build("resnet18", 10, Shape.batchOf(3, 32, 32), 42);
 * }</pre>
 */
public final class Zoo {
    private Zoo() {}

    /** Builds a model: name, classes, input shape (the batch dimension is ignored), seed for the weights. */
    @FunctionalInterface
    interface Factory { Graph build(int classes, Shape input); }

    private static final Map<String, Factory> MODELS = new LinkedHashMap<>();

    static {
        MODELS.put("alexnet", Zoo::alexnet);
        MODELS.put("vgg11", (k, in) -> vgg(new int[] {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0}, 4096, k, in));
        MODELS.put("vgg16", (k, in) -> vgg(new int[] {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0}, 4096, k, in));
        MODELS.put("googlenet", (k, in) -> googlenet(k, in, 1, 3));
        MODELS.put("resnet18", (k, in) -> resnet(new int[] {2, 2, 2, 2}, false, k, in));
        MODELS.put("resnet34", (k, in) -> resnet(new int[] {3, 4, 6, 3}, false, k, in));
        MODELS.put("resnet50", (k, in) -> resnet(new int[] {3, 4, 6, 3}, true, k, in));
        MODELS.put("squeezenet1_0", (k, in) -> squeezenet(false, k, in));
        MODELS.put("squeezenet1_1", (k, in) -> squeezenet(true, k, in));
        MODELS.put("mobilenet_v1", (k, in) -> mobilenetV1(1.0, false, k, in));
        MODELS.put("mobilenet_v2", (k, in) -> mobilenetV2(1.0, k, in));
        MODELS.put("densenet121", (k, in) -> densenet(64, 32, new int[] {6, 12, 24, 16}, false, k, in));
        MODELS.put("vgg-mini", (k, in) -> vgg(new int[] {32, 0, 64, 0, 128, 0}, 256, k, in));
        MODELS.put("resnet-mini", Zoo::resnetMini);
        MODELS.put("inception-mini", (k, in) -> googlenet(k, in, 4, 3));
        MODELS.put("squeezenet-mini", Zoo::squeezenetMini);
        MODELS.put("mobilenet_v1-mini", (k, in) -> mobilenetV1(0.5, true, k, in));
        MODELS.put("mobilenet_v2-mini", Zoo::mobilenetV2Mini);
        MODELS.put("densenet-mini", (k, in) -> densenet(24, 12, new int[] {4, 4, 4}, true, k, in));
    }

    public static List<String> names() { return List.copyOf(MODELS.keySet()); }

    public static boolean has(String name) { return MODELS.containsKey(name); }

    /** A zoo model with fresh weights drawn from {@code seed}. */
    public static Graph build(String name, int classes, Shape input, long seed) {
        Factory f = MODELS.get(name);
        if (f == null) throw new IllegalArgumentException("unknown zoo model '" + name + "' (" + String.join(", ", names()) + ")");
        if (classes < 1) throw new IllegalArgumentException(name + ": classes must be >= 1, got " + classes);
        if (input.rank() != 4) throw new IllegalArgumentException(name + ": input must be [batch, channels, height, width], got " + input);
        Graph g = f.build(classes, input);
        g.outputShape(input);  // walks every layer's shape check now, naming the layer that does not fit
        g.resetParameters(new Random(seed));
        return g;
    }

    /** Global average pool, flatten, optional dropout, linear classifier. */
    private static Graph head(Graph.Builder g, String in, int channels, double dropout, int classes) {
        String at = g.add("flatten", new Flatten(), g.add("avgpool", Pool2d.globalAverage(), in));
        if (dropout > 0) at = g.add("dropout", new Dropout(dropout), at);
        return g.build(g.add("fc", new Linear(channels, classes), at));
    }

    /** Channels x height x width of a node's output, for sizing a classifier from a feature map. */
    private static int flatSize(Graph.Builder g, String node, Shape input) {
        Graph partial = g.build(node);
        Shape s = partial.outputShape(input);
        return (int) s.sampleSize();
    }

    static Graph alexnet(int classes, Shape in) {
        Graph.Builder g = Graph.builder();
        String at = Blocks.convRelu(g, "conv1", Graph.INPUT, in.dim(1), 64, 11, 4, 2);
        at = Blocks.convRelu(g, "conv2", g.add("pool1", Pool2d.max(3, 2, 0), at), 64, 192, 5, 1, 2);
        at = Blocks.convRelu(g, "conv3", g.add("pool2", Pool2d.max(3, 2, 0), at), 192, 384, 3, 1, 1);
        at = Blocks.convRelu(g, "conv4", at, 384, 256, 3, 1, 1);
        at = g.add("pool5", Pool2d.max(3, 2, 0), Blocks.convRelu(g, "conv5", at, 256, 256, 3, 1, 1));
        return classifier(g, at, flatSize(g, at, in), 4096, classes);
    }

    /** VGG: 3x3 convolutions (with bias) and ReLU, 0 in the config marks a 2x2 max pool. */
    static Graph vgg(int[] cfg, int width, int classes, Shape in) {
        Graph.Builder g = Graph.builder();
        String at = Graph.INPUT;
        int c = in.dim(1), conv = 0, pool = 0;
        for (int v : cfg) {
            if (v == 0) {
                at = g.add("pool" + ++pool, Pool2d.max(2), at);
            } else {
                at = Blocks.convRelu(g, "conv" + ++conv, at, c, v, 3, 1, 1);
                c = v;
            }
        }
        return classifier(g, at, flatSize(g, at, in), width, classes);
    }

    /** AlexNet's and VGG's classifier: flatten, two dense layers of {@code width} with ReLU and dropout 0.5, then the output layer. */
    private static Graph classifier(Graph.Builder g, String in, int features, int width, int classes) {
        String at = g.add("flatten", new Flatten(), in);
        at = g.chain("fc1", at, new Linear(features, width), Activation.relu(), new Dropout(0.5));
        at = g.chain("fc2", at, new Linear(width, width), Activation.relu(), new Dropout(0.5));
        return g.build(g.add("fc3", new Linear(width, classes), at));
    }

    /** GoogLeNet (torchvision layout, no auxiliary classifiers); widths divided by {@code shrink} for the mini variant. */
    static Graph googlenet(int classes, Shape in, int shrink, int k5) {
        Graph.Builder g = Graph.builder();
        int s = shrink;
        boolean mini = shrink > 1;
        String at = Blocks.convBn(g, "conv1", Graph.INPUT, in.dim(1), 64 / s, mini ? 3 : 7, mini ? 1 : 2, 1, Act.RELU, 1e-3);
        if (!mini) at = g.add("maxpool1", Pool2d.maxCeil(3, 2, 0), at);
        at = Blocks.convBn(g, "conv2", at, 64 / s, 64 / s, 1, 1, 1, Act.RELU, 1e-3);
        at = Blocks.convBn(g, "conv3", at, 64 / s, 192 / s, 3, 1, 1, Act.RELU, 1e-3);
        at = g.add("maxpool2", Pool2d.maxCeil(3, 2, 0), at);
        int[][] cfg = { // name index, in, 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj
            {192, 64, 96, 128, 16, 32, 32}, {256, 128, 128, 192, 32, 96, 64}, {0},
            {480, 192, 96, 208, 16, 48, 64}, {512, 160, 112, 224, 24, 64, 64}, {512, 128, 128, 256, 24, 64, 64},
            {512, 112, 144, 288, 32, 64, 64}, {528, 256, 160, 320, 32, 128, 128}, {1},
            {832, 256, 160, 320, 32, 128, 128}, {832, 384, 192, 384, 48, 128, 128}};
        String[] names = {"3a", "3b", "maxpool3", "4a", "4b", "4c", "4d", "4e", "maxpool4", "5a", "5b"};
        for (int i = 0; i < cfg.length; i++) {
            int[] c = cfg[i];
            if (c.length == 1) {
                at = g.add(names[i], c[0] == 0 ? Pool2d.maxCeil(3, 2, 0) : Pool2d.maxCeil(2, 2, 0), at);
                continue;
            }
            at = Blocks.inception(g, "inception" + names[i], at, c[0] / s, c[1] / s, c[2] / s, c[3] / s, c[4] / s, c[5] / s, c[6] / s, k5);
        }
        return head(g, at, 1024 / s, 0.2, classes);
    }

    static Graph resnet(int[] blocks, boolean bottleneck, int classes, Shape in) {
        Graph.Builder g = Graph.builder();
        String at = Blocks.convBn(g, "conv1", Graph.INPUT, in.dim(1), 64, 7, 2, Act.RELU);
        at = g.add("maxpool", Pool2d.max(3, 2, 1), at);
        int c = 64, expansion = bottleneck ? 4 : 1;
        for (int stage = 0; stage < 4; stage++) {
            int planes = 64 << stage;
            for (int b = 0; b < blocks[stage]; b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                String name = "layer" + (stage + 1) + "_" + b;
                at = bottleneck ? Blocks.bottleneck(g, name, at, c, planes, stride) : Blocks.basic(g, name, at, c, planes, stride);
                c = planes * expansion;
            }
        }
        return head(g, at, c, 0, classes);
    }

    /** CIFAR-style ResNet-8: a 3x3 stem of 16 channels and three stages (16, 32, 64) of one basic block. */
    static Graph resnetMini(int classes, Shape in) {
        Graph.Builder g = Graph.builder();
        String at = Blocks.convBn(g, "conv1", Graph.INPUT, in.dim(1), 16, 3, 1, Act.RELU);
        int c = 16;
        for (int stage = 0; stage < 3; stage++) {
            int planes = 16 << stage;
            at = Blocks.basic(g, "layer" + (stage + 1) + "_0", at, c, planes, stage == 0 ? 1 : 2);
            c = planes;
        }
        return head(g, at, c, 0, classes);
    }

    static Graph squeezenet(boolean v11, int classes, Shape in) {
        Graph.Builder g = Graph.builder();
        String at = v11 ? Blocks.convRelu(g, "conv1", Graph.INPUT, in.dim(1), 64, 3, 2, 0) : Blocks.convRelu(g, "conv1", Graph.INPUT, in.dim(1), 96, 7, 2, 0);
        at = g.add("pool1", Pool2d.maxCeil(3, 2, 0), at);
        // fire modules: in, squeeze, expand (each of 1x1 and 3x3); 0 marks a max pool
        int[][] fires = v11
                ? new int[][] {{64, 16, 64}, {128, 16, 64}, {0}, {128, 32, 128}, {256, 32, 128}, {0}, {256, 48, 192}, {384, 48, 192}, {384, 64, 256}, {512, 64, 256}}
                : new int[][] {{96, 16, 64}, {128, 16, 64}, {128, 32, 128}, {0}, {256, 32, 128}, {256, 48, 192}, {384, 48, 192}, {384, 64, 256}, {0}, {512, 64, 256}};
        return squeezeFires(g, at, fires, 512, classes);
    }

    static Graph squeezenetMini(int classes, Shape in) {
        Graph.Builder g = Graph.builder();
        String at = Blocks.convRelu(g, "conv1", Graph.INPUT, in.dim(1), 32, 3, 1, 1);
        at = g.add("pool1", Pool2d.maxCeil(3, 2, 0), at);
        return squeezeFires(g, at, new int[][] {{32, 8, 32}, {64, 8, 32}, {0}, {64, 16, 64}, {128, 16, 64}}, 128, classes);
    }

    private static Graph squeezeFires(Graph.Builder g, String at, int[][] fires, int last, int classes) {
        int fire = 2, pool = 1;
        for (int[] f : fires) {
            if (f.length == 1) at = g.add("pool" + ++pool, Pool2d.maxCeil(3, 2, 0), at);
            else at = Blocks.fire(g, "fire" + fire++, at, f[0], f[1], f[2], f[2]);
        }
        // the classifier is a 1x1 convolution to one map per class, averaged: no dense layer at all
        at = g.add("dropout", new Dropout(0.5), at);
        at = Blocks.convRelu(g, "classifier", at, last, classes, 1, 1, 0);
        return g.build(g.add("flatten", new Flatten(), g.add("avgpool", Pool2d.globalAverage(), at)));
    }

    /** MobileNet v1 with width multiplier alpha; the mini variant has a stride-1 stem and stops at 512 channels (for 32x32). */
    static Graph mobilenetV1(double alpha, boolean mini, int classes, Shape in) {
        Graph.Builder g = Graph.builder();
        int c = (int) (32 * alpha);
        String at = Blocks.convBn(g, "conv1", Graph.INPUT, in.dim(1), c, 3, mini ? 1 : 2, 1, Act.RELU6, 1e-3);
        int[][] cfg = mini ? new int[][] {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}}
                : new int[][] {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
        for (int i = 0; i < cfg.length; i++) {
            int out = (int) (cfg[i][0] * alpha);
            at = Blocks.separable(g, "block" + (i + 1), at, c, out, cfg[i][1]);
            c = out;
        }
        return head(g, at, c, 1e-3, classes);
    }

    /** torchvision's channel rounding: to a multiple of 8, never more than 10% below the scaled value. */
    static int divisible(double v) {
        int r = Math.max(8, (int) (v + 4) / 8 * 8);
        return r < 0.9 * v ? r + 8 : r;
    }

    static Graph mobilenetV2(double alpha, int classes, Shape in) {
        // expansion t, channels c, repeats n, first stride s
        return mobilenetV2(alpha, new int[][] {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}},
                2, 1280, 0.2, classes, in);
    }

    static Graph mobilenetV2Mini(int classes, Shape in) {
        return mobilenetV2(0.5, new int[][] {{1, 16, 1, 1}, {6, 24, 2, 1}, {6, 32, 2, 2}, {6, 64, 2, 2}}, 1, 256, 0.1, classes, in);
    }

    private static Graph mobilenetV2(double alpha, int[][] settings, int stemStride, int lastChannels, double dropout, int classes, Shape in) {
        Graph.Builder g = Graph.builder();
        int c = divisible(32 * alpha);
        String at = Blocks.convBn(g, "stem", Graph.INPUT, in.dim(1), c, 3, stemStride, Act.RELU6);
        int block = 0;
        for (int[] s : settings) {
            int out = divisible(s[1] * alpha);
            for (int i = 0; i < s[2]; i++) {
                at = Blocks.invertedResidual(g, "block" + ++block, at, c, out, i == 0 ? s[3] : 1, s[0]);
                c = out;
            }
        }
        int last = divisible(lastChannels * Math.max(1.0, alpha));
        at = Blocks.convBn(g, "last", at, c, last, 1, 1, Act.RELU6);
        return head(g, at, last, dropout, classes);
    }

    /** DenseNet-BC (bottleneck 4 x growth, compression 0.5); the mini variant has a 3x3 stride-1 stem and no stem pool. */
    static Graph densenet(int init, int growth, int[] blocks, boolean mini, int classes, Shape in) {
        Graph.Builder g = Graph.builder();
        String at = Blocks.convBn(g, "conv0", Graph.INPUT, in.dim(1), init, mini ? 3 : 7, mini ? 1 : 2, Act.RELU);
        if (!mini) at = g.add("pool0", Pool2d.max(3, 2, 1), at);
        int c = init;
        for (int b = 0; b < blocks.length; b++) {
            at = Blocks.denseBlock(g, "denseblock" + (b + 1), at, c, blocks[b], growth, 4);
            c += blocks[b] * growth;
            if (b < blocks.length - 1) {
                at = Blocks.transition(g, "transition" + (b + 1), at, c, c / 2);
                c /= 2;
            }
        }
        at = g.add("norm5_relu", Activation.relu(), g.add("norm5", new dev.lathe.nn.BatchNorm2d(c), at));
        return head(g, at, c, 0, classes);
    }

    /** For summaries: the module list of a zoo model's nodes (used by tests). */
    static List<Module> layers(Graph g) { return g.nodes().stream().map(Graph.Node::module).toList(); }
}
