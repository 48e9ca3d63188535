package dev.lathe.ir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Variable;
import dev.lathe.kernels.Epilogue;
import dev.lathe.models.Zoo;
import dev.lathe.nn.Activation;
import dev.lathe.nn.BatchNorm2d;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Dropout;
import dev.lathe.nn.Embedding;
import dev.lathe.nn.Flatten;
import dev.lathe.nn.Graph;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Merge;
import dev.lathe.nn.Module;
import dev.lathe.nn.Pool2d;
import dev.lathe.nn.Sequential;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The lowering from nn and each pass on its own: what it rewrites, what it leaves, and that the program computes the same. */
class PassesTest {
    /** A batch norm with statistics and an affine part far from the identity, so a wrong fold shows. */
    static BatchNorm2d trainedBatchNorm(int c, long seed) {
        BatchNorm2d bn = new BatchNorm2d(c);
        Random r = new Random(seed);
        bn.weight().data().assign(Tensor.normal(r, 1, 0.5, c));
        bn.bias().data().assign(Tensor.normal(r, 0, 0.5, c));
        bn.train();
        for (int i = 0; i < 5; i++) bn.forward(Variable.constant(Tensor.normal(r, 0.3, 2, 4, c, 5, 5)));
        return bn;
    }

    static Module convBnRelu() {
        Sequential m = new Sequential(Conv2d.builder(3, 6, 3).padding(1).build(), trainedBatchNorm(6, 2), Activation.relu(), new Dropout(0.3),
                Pool2d.max(2), new Flatten(), new Linear(6 * 4 * 4, 5), Activation.relu6(), new Dropout(0.1));
        m.resetParameters(new Random(1));
        return m;
    }

    /** The program before and after computes the same on a batch of three. */
    static void assertSameFunction(Program before, Program after, Shape sample) {
        Tensor x = Tensor.normal(new Random(7), 0, 1, sample.with(0, 3).dims());
        assertThat(Reference.run(after, x).toFloatArray()).usingComparatorWithPrecision(2e-5f).containsExactly(Reference.run(before, x).toFloatArray());
    }

    @Test void loweringNamesNodesByPathAndComputesWhatTheModelComputes() {
        Module m = convBnRelu();
        Shape in = Shape.batchOf(3, 8, 8);
        Program p = Lowering.from(m, in);
        assertThat(p.nodes()).extracting(Node::name).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8");
        assertThat(p.nodes().get(0).op()).isInstanceOf(Op.Conv2d.class).hasToString("Conv2d(3→6, 3x3, pad 1)");
        assertThat(p.output()).isEqualTo("8");
        assertThat(p.nodes().get(5).output()).isEqualTo(Shape.of(1, 96));
        Tensor x = Tensor.normal(new Random(3), 0, 1, 2, 3, 8, 8);
        try (GradMode.Scope g = GradMode.noGrad()) {
            assertThat(Reference.run(p, x).toFloatArray()).containsExactly(m.forward(Variable.constant(x)).data().toFloatArray());
        }
        // frozen: training the model on does not change the program
        float before = p.nodes().get(0).op() instanceof Op.Conv2d c ? c.weight().toFloatArray()[0] : 0;
        ((Conv2d) ((Sequential) m).layers().get(0)).weight().data().assign(Tensor.zeros(6, 3, 3, 3));
        assertThat(((Op.Conv2d) p.nodes().get(0).op()).weight().toFloatArray()[0]).isEqualTo(before);
        assertThatThrownBy(() -> Lowering.from(new Sequential(new Embedding(10, 4)), Shape.batchOf(3)))
                .hasMessageContaining("layer '0'").hasMessageContaining("no inference op");
    }

    @Test void removeDropoutRewiresItsReadersAndTheOutput() {
        Shape in = Shape.batchOf(3, 8, 8);
        Program p = Lowering.from(convBnRelu(), in), q = new RemoveDropout().apply(p);
        assertThat(q.nodes()).extracting(Node::name).containsExactly("0", "1", "2", "4", "5", "6", "7");
        assertThat(q.producer("4").inputs()).containsExactly("2");
        assertThat(q.output()).isEqualTo("7");
        assertSameFunction(p, q, in);
    }

    @Test void foldBatchNormFoldsIntoASoleConvAndOnlyThere() {
        Shape in = Shape.batchOf(3, 8, 8);
        Program p = Lowering.from(convBnRelu(), in), q = new FoldBatchNorm().apply(p);
        assertThat(q.nodes()).extracting(Node::name).doesNotContain("1");
        assertThat(q.producer("0").note()).isEqualTo("+ BatchNorm folded");
        assertThat(q.producer("2").inputs()).containsExactly("0");
        assertSameFunction(p, q, in);
        // the conv's value read twice (the residual below): folding would change the other reader's input
        Graph.Builder g = Graph.builder();
        String c = g.add("conv", Conv2d.builder(3, 3, 3).padding(1).build(), Graph.INPUT);
        String bn = g.add("bn", trainedBatchNorm(3, 4), c);
        Graph m = g.build(g.add("sum", Merge.add(), bn, c));
        m.resetParameters(new Random(5));
        Program r = Lowering.from(m, in);
        assertThat(new FoldBatchNorm().apply(r)).isEqualTo(r);
    }

    @Test void fuseActivationTakesReluAndRelu6IntoConvAndVectorDense() {
        Shape in = Shape.batchOf(3, 8, 8);
        Program p = Pass.all(Lowering.from(convBnRelu(), in), List.of(new RemoveDropout(), new FoldBatchNorm()));
        Program q = new FuseActivation().apply(p);
        assertThat(q.nodes()).extracting(Node::name).containsExactly("0", "4", "5", "6");
        assertThat(q.producer("0").epilogue()).isEqualTo(Epilogue.RELU);
        assertThat(q.producer("0").note()).isEqualTo("+ BatchNorm folded + ReLU fused");
        assertThat(q.producer("6").epilogue()).isEqualTo(Epilogue.RELU6);
        assertThat(q.output()).isEqualTo("6");
        assertSameFunction(p, q, in);
        // sigmoid has no epilogue: it stays a node; the ReLU after the second dense layer fuses on vectors
        Sequential m = new Sequential(new Linear(4, 4), Activation.sigmoid(), new Linear(4, 4), Activation.relu());
        m.resetParameters(new Random(6));
        Program vectors = Lowering.from(m, Shape.batchOf(4)), fusedVectors = new FuseActivation().apply(vectors);
        assertThat(fusedVectors.nodes()).extracting(Node::name).containsExactly("0", "1", "2");
        assertThat(fusedVectors.producer("2").epilogue()).isEqualTo(Epilogue.RELU);
        assertSameFunction(vectors, fusedVectors, Shape.batchOf(4));
        // ... but not on [1, 2, 4] values: the batch-1 dense kernel with an epilogue takes one vector
        Program rows = Lowering.from(m, Shape.batchOf(2, 4));
        assertThat(new FuseActivation().apply(rows)).isEqualTo(rows);
    }

    @Test void theInferencePipelineKeepsAZooModelsFunction() {
        for (String name : List.of("resnet-mini", "mobilenet_v2-mini", "inception-mini", "densenet-mini")) {
            Shape in = Shape.batchOf(3, 32, 32);
            Module m = Zoo.build(name, 10, in, 1);
            // statistics far from the initial 0 and 1, so a wrong fold shows
            Random r = new Random(2);
            java.util.Map<String, Tensor> state = m.stateDict();
            state.replaceAll((k, v) -> k.endsWith("running_mean") ? Tensor.normal(r, 0, 0.5, v.shape()) : k.endsWith("running_var") ? Tensor.uniform(r, 0.5, 2, v.shape()) : v);
            m.loadStateDict(state);
            Program p = Lowering.from(m, in), q = Pass.all(p, Pass.INFERENCE);
            assertThat(q.nodes()).as(name).noneMatch(n -> n.op() instanceof Op.Dropout);
            // a batch norm stays only where it follows no convolution of its own (DenseNet's norm after a concat)
            assertThat(q.nodes()).as(name).filteredOn(n -> n.op() instanceof Op.BatchNorm)
                    .allSatisfy(n -> assertThat(q.producer(n.input()) == null || !(q.producer(n.input()).op() instanceof Op.Conv2d) || q.readers().get(n.input()) > 1).isTrue());
            if (!name.startsWith("densenet")) assertThat(q.nodes()).as(name).noneMatch(n -> n.op() instanceof Op.BatchNorm);
            assertThat(q.nodes().size()).as(name).isLessThan(p.nodes().size());
            assertSameFunction(p, q, in);
        }
    }
}
