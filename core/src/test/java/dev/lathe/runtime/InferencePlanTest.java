package dev.lathe.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Variable;
import dev.lathe.models.Cnn;
import dev.lathe.models.Zoo;
import dev.lathe.nn.Activation;
import dev.lathe.nn.BatchNorm2d;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Module;
import dev.lathe.nn.Sequential;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Every rewrite of the frozen plan against the training graph, and the memory planner against its oracle. */
class InferencePlanTest {
    static void randomStatistics(Module m, long seed) {
        Random r = new Random(seed);
        m.namedBuffers().forEach((k, t) -> t.assign(Tensor.uniform(r, k.endsWith("var") ? 0.5 : -0.5, k.endsWith("var") ? 1.5 : 0.5, t.shape())));
        m.namedParameters().forEach((k, v) -> { if (k.endsWith("bias")) v.data().assign(Tensor.uniform(r, -0.3, 0.3, v.shape())); });
    }

    static float[] reference(Module m, Tensor x) {
        m.eval();
        try (GradMode.Scope s = GradMode.noGrad()) {
            return m.forward(Variable.constant(x)).data().toFloatArray();
        }
    }

    static void assertClose(float[] a, float[] b) {
        assertThat(a).hasSize(b.length);
        for (int i = 0; i < a.length; i++) assertThat(a[i]).as("element %d", i).isCloseTo(b[i], org.assertj.core.data.Offset.offset(1e-5f + 1e-5f * Math.abs(b[i])));
    }

    @Test void batchNormFoldsIntoTheConvolutionBeforeIt() {
        Sequential m = new Sequential(Conv2d.builder(3, 4, 3).padding(1).bias(false).build(), new BatchNorm2d(4));
        m.resetParameters(new Random(1));
        randomStatistics(m, 2);
        Tensor x = Tensor.normal(new Random(3), 0, 1, 1, 3, 6, 6);
        float[] expected = reference(m, x);
        InferencePlan p = InferencePlan.freeze(m, Shape.batchOf(3, 6, 6));
        assertThat(p.steps()).hasSize(1);
        assertThat(p.steps().get(0).note()).contains("BatchNorm folded");
        assertClose(p.run(x).toFloatArray(), expected);
    }

    @Test void reluAndRelu6FuseIntoTheConvolutionEpilogue() {
        for (Activation a : new Activation[] {Activation.relu(), Activation.relu6()}) {
            Sequential m = new Sequential(Conv2d.builder(2, 3, 3).padding(1).build(), a);
            m.resetParameters(new Random(4));
            randomStatistics(m, 5);
            Tensor x = Tensor.normal(new Random(6), 0, 3, 1, 2, 5, 5);
            InferencePlan p = InferencePlan.freeze(m, Shape.batchOf(2, 5, 5));
            assertThat(p.steps()).hasSize(1);
            assertThat(p.steps().get(0).note()).contains("fused");
            assertClose(p.run(x).toFloatArray(), reference(m, x));
        }
    }

    @Test void reluFusesIntoTheDenseLayerBeforeIt() {
        Sequential m = new Sequential(new dev.lathe.nn.Linear(6, 5), Activation.relu(), new dev.lathe.nn.Linear(5, 3), Activation.relu6());
        m.resetParameters(new Random(11));
        randomStatistics(m, 12);
        Tensor x = Tensor.normal(new Random(13), 0, 2, 1, 6);
        InferencePlan p = InferencePlan.freeze(m, Shape.batchOf(6));
        assertThat(p.steps()).hasSize(2).allMatch(st -> st.note().contains("fused"));
        assertClose(p.run(x).toFloatArray(), reference(m, x));
        assertClose(p.session().predict(x.toFloatArray()), reference(m, x));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"cnn", "resnet-mini", "mobilenet_v2-mini", "densenet-mini", "squeezenet-mini", "inception-mini"})
    void frozenModelsEqualTheTrainingGraph(String name) {
        Module m = name.equals("cnn") ? Cnn.fashion(1) : Zoo.build(name, 10, Shape.batchOf(3, 32, 32), 1);
        Shape in = name.equals("cnn") ? Cnn.FASHION_INPUT : Shape.batchOf(3, 32, 32);
        randomStatistics(m, 7);
        Tensor x = Tensor.normal(new Random(8), 0, 1, 1, in.dim(1), in.dim(2), in.dim(3));
        float[] expected = reference(m, x);
        InferencePlan p = InferencePlan.freeze(m, in);
        assertClose(p.run(x).toFloatArray(), expected);
        MemoryPlan mp = p.memoryPlan();
        assertThat(mp.isValid()).isTrue();
        assertThat(mp.arenaSize()).isGreaterThanOrEqualTo(mp.lowerBound());
        assertThat(p.describe()).contains("arena", "lower bound");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlp", "cnn", "resnet-mini", "mobilenet_v2-mini", "mobilenet_v1-mini", "densenet-mini", "squeezenet-mini", "inception-mini", "vgg-mini"})
    void sessionInTheArenaEqualsTheTrainingGraph(String name) {
        Module m = switch (name) {
            case "mlp" -> dev.lathe.models.Mlp.of(784, new int[] {256, 128}, 10, "relu", 0.2, 1);
            case "cnn" -> Cnn.fashion(1);
            default -> Zoo.build(name, 10, Shape.batchOf(3, 32, 32), 1);
        };
        Shape in = name.equals("cnn") || name.equals("mlp") ? Cnn.FASHION_INPUT : Shape.batchOf(3, 32, 32);
        randomStatistics(m, 7);
        InferencePlan plan = InferencePlan.freeze(m, in);
        for (Session.Layout layout : Session.Layout.values()) {
            Session s = new Session(plan, 0, layout);
            assertThat(s.channelsLast()).as("%s runs channels-last", name).isEqualTo(layout != Session.Layout.CHANNELS_FIRST);
            float[] out = new float[s.outputSize()];
            for (int trial = 0; trial < 3; trial++) {  // the arena is reused: later calls must not see earlier ones
                Tensor x = Tensor.normal(new Random(10 + trial), 0, 1, 1, in.dim(1), in.dim(2), in.dim(3));
                s.predict(x.toFloatArray(), out);
                assertClose(out, reference(m, x));
            }
        }
    }

    @Test void fusedInvertedResidualBlocksEqualTheTrainingGraphAtFullSize() {
        // the full-size net: every one of its 17 blocks fuses, bands of several rows on the small maps
        Module m = Zoo.build("mobilenet_v2", 10, Shape.batchOf(3, 224, 224), 1);
        randomStatistics(m, 7);
        InferencePlan plan = InferencePlan.freeze(m, Shape.batchOf(3, 224, 224));
        Tensor x = Tensor.normal(new Random(4), 0, 1, 1, 3, 224, 224);
        float[] expected = reference(m, x);
        for (int threads = 1; threads <= 2; threads++) {
            Session s = new Session(plan, threads, Session.Layout.FUSED);
            assertThat(s.fusedBlocks()).as("fused blocks").isEqualTo(17);
            // the expanded tensors get no buffer: the session's arena is well under the plan's, and valid
            assertThat(s.memoryPlan().isValid()).isTrue();
            assertThat(s.memoryPlan().arenaSize()).isLessThan(plan.memoryPlan().arenaSize() / 2).isGreaterThanOrEqualTo(s.memoryPlan().lowerBound());
            float[] got = s.predict(x.toFloatArray());
            // 53 layers at full size: float32 sums in another order drift ~2e-5 of a logit (the 1e-5 bar holds on the minis above)
            for (int i = 0; i < got.length; i++) assertThat(got[i]).as("logit %d", i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(5e-5f + 5e-5f * Math.abs(expected[i])));
        }
    }

    @Test void aGroupedConvolutionKeepsThePlanChannelsFirst() {
        Module m = new Sequential(Conv2d.builder(4, 6, 3).padding(1).groups(2).build(), Activation.relu(), new dev.lathe.nn.Flatten());
        assertDefaultSessionMatches(m, Shape.batchOf(4, 5, 5), false);
    }

    @Test void aFeatureMapOutputIsTransposedBackToChannelsFirst() {
        Module m = new Sequential(Conv2d.builder(3, 5, 3).padding(1).build(), Activation.relu(), dev.lathe.nn.Pool2d.max(2));
        assertDefaultSessionMatches(m, Shape.batchOf(3, 8, 6), true);
    }

    @Test void theSessionSaysWhyItsStemDoesNotReadPlanes() {
        // MobileNetV2-mini's 3-channel 3x3 stem: the planar stem's on a 16-lane host, elsewhere the session says why not
        InferencePlan mobile = InferencePlan.freeze(Zoo.build("mobilenet_v2-mini", 10, Shape.batchOf(3, 32, 32), 1), Shape.batchOf(3, 32, 32));
        Session s = mobile.session();
        String host = dev.lathe.kernels.ExpectedDispatch.planarStemUnfit();
        assertThat(s.planarStem()).isEqualTo(host == null);
        if (host == null) assertThat(s.planarStemUnfit()).isNull();
        else assertThat(s.planarStemUnfit()).startsWith(host);
        assertThat(new Session(mobile, 0, Session.Layout.CHANNELS_FIRST).planarStemUnfit()).isEqualTo("a channels-first session");
        // one input channel: the geometry's reason, at any width
        assertThat(InferencePlan.freeze(Cnn.fashion(1), Cnn.FASHION_INPUT).session().planarStemUnfit()).isEqualTo("1 input channel, not 2-4");
    }

    /** The default session of m runs channels-last or not, as expected, and equals the training graph. */
    private static void assertDefaultSessionMatches(Module m, Shape in, boolean channelsLast) {
        Session s = InferencePlan.freeze(m, in).session();
        assertThat(s.channelsLast()).isEqualTo(channelsLast);
        Tensor x = Tensor.normal(new Random(5), 0, 1, 1, in.dim(1), in.dim(2), in.dim(3));
        assertClose(s.predict(x.toFloatArray()), reference(m, x));
    }

    @Test void predictChecksTheInputLength() {
        Session s = InferencePlan.freeze(Zoo.build("mobilenet_v2-mini", 10, Shape.batchOf(3, 32, 32), 1), Shape.batchOf(3, 32, 32)).session();
        assertThatThrownBy(() -> s.predict(new float[5], new float[10])).hasMessageContaining("input has 5 values, the model takes 3072");
    }

    @Test void plannerNeverOverlapsLiveBuffersAndReachesTheBoundOnAChain() {
        // a chain: each buffer lives from its step to the next; two buffers alive at a time
        List<MemoryPlan.Buffer> chain = List.of(new MemoryPlan.Buffer("a", 100, 0, 1), new MemoryPlan.Buffer("b", 50, 1, 2),
                new MemoryPlan.Buffer("c", 80, 2, 3), new MemoryPlan.Buffer("d", 10, 3, 4));
        MemoryPlan p = MemoryPlan.plan(chain);
        assertThat(p.isValid()).isTrue();
        assertThat(p.lowerBound()).isEqualTo(150);
        assertThat(p.arenaSize()).isEqualTo(150);
        Random r = new Random(9);
        for (int trial = 0; trial < 200; trial++) {
            List<MemoryPlan.Buffer> bs = new java.util.ArrayList<>();
            for (int i = 0; i < 12; i++) {
                int f = r.nextInt(10);
                bs.add(new MemoryPlan.Buffer("t" + i, 1 + r.nextInt(100), f, f + r.nextInt(4)));
            }
            for (boolean best : new boolean[] {false, true}) {
                MemoryPlan q = MemoryPlan.greedy(bs, best);
                assertThat(q.isValid()).isTrue();
                assertThat(q.arenaSize()).isGreaterThanOrEqualTo(q.lowerBound());
            }
        }
    }
}
