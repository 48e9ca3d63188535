package dev.lathe.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.nn.Graph;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Reference parameter counts at 3x224x224 / 1,000 classes, and a forward + backward pass of every model at a small size. */
class ZooTest {
    static final Shape IMAGENET = Shape.batchOf(3, 224, 224);

    /**
     * torchvision's num_params of its model definitions (the weights' metadata), and Keras's
     * MobileNet (alpha 1.0, 224) trainable parameters: its 4,253,864 total also counts the batch
     * norms' moving mean and variance (21,888), which are buffers here.
     */
    static final Map<String, Long> REFERENCE = Map.ofEntries(
            Map.entry("alexnet", 61_100_840L), Map.entry("vgg11", 132_863_336L), Map.entry("vgg16", 138_357_544L),
            Map.entry("googlenet", 6_624_904L), Map.entry("resnet18", 11_689_512L), Map.entry("resnet34", 21_797_672L),
            Map.entry("resnet50", 25_557_032L), Map.entry("squeezenet1_0", 1_248_424L), Map.entry("squeezenet1_1", 1_235_496L),
            Map.entry("mobilenet_v1", 4_231_976L), Map.entry("mobilenet_v2", 3_504_872L), Map.entry("densenet121", 7_978_856L));

    static java.util.stream.Stream<Arguments> references() { return REFERENCE.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue())); }

    @ParameterizedTest(name = "{0}: {1} parameters")
    @MethodSource("references")
    void parameterCountEqualsTheReference(String name, long expected) {
        Graph g = Zoo.build(name, 1000, IMAGENET, 0);
        assertThat(g.parameterCount()).isEqualTo(expected);
        assertThat(g.outputShape(IMAGENET)).isEqualTo(Shape.batchOf(1000));
    }

    @Test void mobilenetV1BuffersMakeUpKerasTotal() {
        Graph g = Zoo.build("mobilenet_v1", 1000, IMAGENET, 0);
        long buffers = g.namedBuffers().values().stream().mapToLong(Tensor::numel).sum();
        assertThat(g.parameterCount() + buffers).isEqualTo(4_253_864L);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"alexnet", "vgg11", "vgg16", "googlenet", "resnet18", "resnet34", "resnet50", "squeezenet1_0", "squeezenet1_1",
        "mobilenet_v1", "mobilenet_v2", "densenet121", "vgg-mini", "resnet-mini", "inception-mini", "squeezenet-mini", "mobilenet_v1-mini",
        "mobilenet_v2-mini", "densenet-mini"})
    void forwardAndBackwardAtASmallSize(String name) {
        boolean mini = name.endsWith("-mini");
        // AlexNet's 11x11 stride-4 stem and three 3x3 stride-2 pools need at least 63 pixels
        int size = mini ? 32 : name.equals("alexnet") ? 64 : 32;
        Shape in = Shape.batchOf(3, size, size);
        Graph g = Zoo.build(name, 7, in, 1);
        Tensor x = Tensor.normal(new Random(2), 0, 1, 2, 3, size, size);
        Variable out = g.forward(Variable.constant(x));
        assertThat(out.shape()).containsExactly(2, 7);
        assertThat(allFinite(out.data())).isTrue();
        Ops.softmaxCrossEntropy(out, new int[] {1, 5}).backward();
        long withGrad = g.parameters().stream().filter(p -> p.grad() != null).count();
        assertThat(withGrad).as("every parameter receives a gradient").isEqualTo(g.parameters().size());
        assertThat(g.parameters().stream().allMatch(p -> allFinite(p.grad()))).isTrue();
        assertThat(g.summary(in)).contains("Total params: " + String.format(java.util.Locale.ROOT, "%,d", g.parameterCount()));
    }

    static boolean allFinite(Tensor t) {
        for (float v : t.toFloatArray()) if (!Float.isFinite(v)) return false;
        return true;
    }

    @Test void unknownModelAndTooSmallInputAreNamed() {
        assertThatThrownBy(() -> Zoo.build("resnet19", 10, IMAGENET, 0)).hasMessageContaining("unknown zoo model 'resnet19'").hasMessageContaining("resnet18");
        assertThatThrownBy(() -> Zoo.build("alexnet", 10, Shape.batchOf(3, 32, 32), 0)).hasMessageContaining("larger than the padded input");
        assertThatThrownBy(() -> Zoo.build("resnet18", 0, IMAGENET, 0)).hasMessageContaining("classes must be >= 1");
    }

    @Test void sameSeedSameWeights() {
        Graph a = Zoo.build("resnet-mini", 10, Shape.batchOf(3, 32, 32), 5), b = Zoo.build("resnet-mini", 10, Shape.batchOf(3, 32, 32), 5);
        assertThat(a.stateDict().get("fc.weight").toFloatArray()).containsExactly(b.stateDict().get("fc.weight").toFloatArray());
    }
}
