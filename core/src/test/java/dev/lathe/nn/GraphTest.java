package dev.lathe.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.autograd.Ops;
import dev.lathe.autograd.Variable;
import dev.lathe.models.Blocks;
import dev.lathe.optim.Adam;
import dev.lathe.optim.Sgd;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Graph wiring rules, its summary and memory figure, head replacement, freezing and learning-rate groups. */
class GraphTest {
    static Graph residual() {
        Graph.Builder g = Graph.builder();
        String body = g.chain("body", Graph.INPUT, Conv2d.builder(4, 4, 3).padding(1).build(), Activation.relu());
        String sum = g.add("sum", Merge.add(), body, Graph.INPUT);
        String flat = g.add("flatten", new Flatten(), g.add("pool", Pool2d.globalAverage(), sum));
        Graph m = g.build(g.add("fc", new Linear(4, 3), flat));
        m.resetParameters(new Random(1));
        return m;
    }

    @Test void wiringMistakesAreNamed() {
        Graph.Builder g = Graph.builder();
        assertThatThrownBy(() -> g.add("a", Activation.relu(), "nowhere")).hasMessageContaining("node 'a' reads 'nowhere', which is not defined before it");
        g.add("a", Activation.relu(), Graph.INPUT);
        assertThatThrownBy(() -> g.add("a", Activation.relu(), Graph.INPUT)).hasMessageContaining("duplicate node name 'a'");
        assertThatThrownBy(() -> g.add("b", Merge.add(), "a")).hasMessageContaining("takes two or more inputs");
        assertThatThrownBy(() -> g.add("c", Activation.relu(), "a", Graph.INPUT)).hasMessageContaining("takes one input");
        assertThatThrownBy(() -> g.add("x.y", Activation.relu(), "a")).hasMessageContaining("without '.'");
        g.add("dead", Activation.tanh(), Graph.INPUT);
        g.add("out", Activation.sigmoid(), "a");
        assertThatThrownBy(() -> g.build("out")).hasMessageContaining("node 'dead' does not reach the output 'out'");
        Graph.Builder h = Graph.builder();
        String x = h.add("x", Activation.relu(), Graph.INPUT);
        String y = h.add("y", new Flatten(), Graph.INPUT);
        Graph bad = h.build(h.add("sum", Merge.add(), x, y));
        assertThatThrownBy(() -> bad.forward(Variable.constant(Tensor.zeros(2, 3, 4, 4)))).hasMessageContaining("Add: inputs differ in shape");
    }

    /** A shared trunk on two named inputs, two heads: every output by name, one backward through both. */
    static Graph twoHeads() {
        Graph.Builder g = Graph.builder("image", "extra");
        String trunk = g.chain("trunk", "image", new Linear(3, 5), Activation.relu());
        String joined = g.add("joined", Merge.concat(), trunk, "extra");
        g.add("classes", new Linear(7, 4), joined);
        g.add("box", new Linear(5, 2), trunk);
        Graph m = g.build("classes", "box");
        m.resetParameters(new Random(3));
        return m;
    }

    @Test void severalInputsAndOutputsByName() {
        Graph m = twoHeads();
        assertThat(m.inputNames()).containsExactly("image", "extra");
        assertThat(m.outputNames()).containsExactly("classes", "box");
        Tensor image = Tensor.normal(new Random(4), 0, 1, 6, 3), extra = Tensor.normal(new Random(5), 0, 1, 6, 2);
        var out = m.forwardAll(java.util.Map.of("image", Variable.constant(image), "extra", Variable.constant(extra)));
        assertThat(out.keySet()).containsExactly("classes", "box");
        assertThat(out.get("classes").data().shape()).containsExactly(6, 4);
        assertThat(out.get("box").data().shape()).containsExactly(6, 2);
        // the box head is the trunk alone: recompute it by hand from the nodes
        Variable trunk = m.node("trunk_1").module().forward(m.node("trunk_0").module().forward(Variable.constant(image)));
        assertThat(out.get("box").data().toFloatArray()).containsExactly(m.node("box").module().forward(trunk).data().toFloatArray());
        var shapes = m.shapes(java.util.Map.of("image", Shape.of(Shape.ANY, 3), "extra", Shape.of(Shape.ANY, 2)));
        assertThat(shapes.get("joined")).isEqualTo(Shape.of(Shape.ANY, 7));
        // one loss over both heads reaches the shared trunk from both
        Ops.add(Ops.sum(out.get("classes")), Ops.sum(out.get("box"))).backward();
        assertThat(m.parameters()).allSatisfy(p -> assertThat(p.grad()).isNotNull());
        assertThatThrownBy(() -> m.forward(Variable.constant(image))).hasMessageContaining("one output").hasMessageContaining("[classes, box]");
        assertThatThrownBy(() -> m.forwardAll(java.util.Map.of("image", Variable.constant(image)))).hasMessageContaining("input 'extra' not given");
    }

    @Test void multiOutputWiringMistakesAreNamed() {
        Graph.Builder g = Graph.builder("a", "b");
        g.add("x", Activation.relu(), "a");
        assertThatThrownBy(() -> g.build("x")).hasMessageContaining("input 'b' is read by no node");
        g.add("y", Activation.relu(), "b");
        assertThatThrownBy(() -> g.build("x", "x")).hasMessageContaining("output 'x' named twice");
        assertThatThrownBy(() -> g.build("x", "a")).hasMessageContaining("output 'a' is not a node");
        g.add("dead", Activation.relu(), "a");
        assertThatThrownBy(() -> g.build("x", "y")).hasMessageContaining("node 'dead' does not reach the outputs [x, y]");
        assertThatThrownBy(() -> Graph.builder("a", "a")).hasMessageContaining("input 'a' named twice");
    }

    @Test void summaryShowsConnectionsAndPeakOfLiveValues() {
        Graph m = residual();
        String s = m.summary(Shape.batchOf(4, 8, 8));
        assertThat(s).contains("Connected to", "sum Add", "body_1, input", "Total params: 163");
        // at the conv: input (256) + conv output (256); at the ReLU: input is still needed by the sum: 256 + 256 + 256
        assertThat(m.peakValues(Shape.batchOf(4, 8, 8))).isEqualTo(768);
        assertThat(s).contains("768 values, 3,072 bytes");
    }

    @Test void replacingTheHeadAndFreezingTheBodyTrainsOnlyTheHead() {
        Graph m = residual();
        m.replace("fc", new Linear(4, 2));
        m.freeze("").unfreeze("fc");
        assertThat(m.trainableParameterCount()).isEqualTo(4 * 2 + 2);
        assertThat(m.summary(Shape.batchOf(4, 8, 8))).contains("Frozen params: 148");
        Tensor before = m.namedParameters().get("body_0.weight").data().copy();
        Tensor headBefore = m.namedParameters().get("fc.weight").data().copy();
        Adam opt = new Adam(m.parameters(), 0.1);
        Variable out = m.forward(Variable.constant(Tensor.normal(new Random(2), 0, 1, 3, 4, 8, 8)));
        assertThat(out.shape()).containsExactly(3, 2);
        Ops.softmaxCrossEntropy(out, new int[] {0, 1, 1}).backward();
        opt.step();
        assertThat(m.namedParameters().get("body_0.weight").grad()).isNull();
        assertThat(m.namedParameters().get("body_0.weight").data().toFloatArray()).containsExactly(before.toFloatArray());
        assertThat(m.namedParameters().get("fc.weight").data().toFloatArray()).isNotEqualTo(headBefore.toFloatArray());
        assertThatThrownBy(() -> m.freeze("classifier")).hasMessageContaining("no parameter name starts with 'classifier'").hasMessageContaining("fc");
        assertThatThrownBy(() -> m.replace("sum", Activation.relu())).hasMessageContaining("needs a merge layer");
    }

    @Test void learningRateGroupsScaleTheStep() {
        Graph m = residual();
        Sgd opt = new Sgd(m.parameters(), 0.1);
        opt.scaleLearningRate(m.parameters("body"), 0.0);
        Tensor body = m.namedParameters().get("body_0.weight").data().copy();
        Tensor head = m.namedParameters().get("fc.weight").data().copy();
        Ops.softmaxCrossEntropy(m.forward(Variable.constant(Tensor.normal(new Random(3), 0, 1, 2, 4, 8, 8))), new int[] {0, 2}).backward();
        opt.step();
        assertThat(m.namedParameters().get("body_0.weight").data().toFloatArray()).containsExactly(body.toFloatArray());
        assertThat(m.namedParameters().get("fc.weight").data().toFloatArray()).isNotEqualTo(head.toFloatArray());
        assertThatThrownBy(() -> opt.scaleLearningRate(new Linear(2, 2).parameters(), 0.5)).hasMessageContaining("not optimized by this optimizer");
    }

    /** Sequential runs ReLU + max pool as one op; it must agree exactly with the two ops run one after the other. */
    @Test void fusedReluMaxPoolEqualsReluThenPool() {
        Random r = new Random(5);
        Tensor x = Tensor.normal(r, 0, 1, 3, 2, 6, 6);
        x.set(0.0, 0, 0, 0, 0);  // ties at zero and all-negative windows included
        Tensor gy = Tensor.normal(r, 0, 1, 3, 2, 3, 3);
        Variable a = Variable.parameter(x.copy()), b = Variable.parameter(x.copy());
        Variable fused = new Sequential(Activation.relu(), Pool2d.max(2)).forward(a);
        Variable apart = Pool2d.max(2).forward(Activation.relu().forward(b));
        assertThat(fused.op()).isEqualTo("relu_max_pool2d");
        assertThat(fused.data().toFloatArray()).containsExactly(apart.data().toFloatArray());
        fused.backward(gy);
        apart.backward(gy);
        assertThat(a.grad().toFloatArray()).containsExactly(b.grad().toFloatArray());
    }

    @Test void ceilModePoolingKeepsThePartialWindow() {
        Pool2d p = Pool2d.maxCeil(3, 2, 0);
        assertThat(p.outputShape(Shape.batchOf(1, 6, 6))).isEqualTo(Shape.batchOf(1, 3, 3));
        assertThat(Pool2d.max(3, 2, 0).outputShape(Shape.batchOf(1, 6, 6))).isEqualTo(Shape.batchOf(1, 2, 2));
        float[] x = new float[36];
        for (int i = 0; i < 36; i++) x[i] = i;
        float[] y = p.forward(Variable.constant(Tensor.of(x, 1, 1, 6, 6))).data().toFloatArray();
        // the last column of windows covers input columns 4-5 only (the window hangs past the edge)
        assertThat(y).containsExactly(14, 16, 17, 26, 28, 29, 32, 34, 35);
    }
}
