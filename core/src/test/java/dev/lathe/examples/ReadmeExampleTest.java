package dev.lathe.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Variable;
import dev.lathe.data.DataLoader;
import dev.lathe.data.FakeFashion;
import dev.lathe.data.FashionMnist;
import dev.lathe.data.Split;
import dev.lathe.nn.Activation;
import dev.lathe.nn.Flatten;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Sequential;
import dev.lathe.optim.Adam;
import dev.lathe.optim.LrSchedule;
import dev.lathe.tensor.Tensor;
import dev.lathe.train.EarlyStopping;
import dev.lathe.train.Evaluation;
import dev.lathe.train.History;
import dev.lathe.train.LossFunction;
import dev.lathe.train.Trainer;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's Java API examples, compiled and run (on a small generated Fashion-MNIST directory), so they stay true. */
class ReadmeExampleTest {
    @TempDir Path dir;

    @Test void trainingExample() throws Exception {
        Path data = FakeFashion.write(dir, 300, 100);  // the README uses FashionMnist.DEFAULT_DIR
        Split fashion = FashionMnist.load(data);
        Split tv = Split.of(fashion.first(), 0.1, 0);
        Sequential model = new Sequential(new Flatten(),
                new Linear(784, 256), Activation.relu(),
                new Linear(256, 128), Activation.relu(), new Linear(128, 10));
        model.resetParameters(new Random(0));
        Trainer trainer = Trainer.builder(model, new Adam(model.parameters(), 1e-3), LossFunction.crossEntropy())
                .epochs(2).schedule(LrSchedule.cosine(2, 0)).earlyStopping(new EarlyStopping(3, 0)).build();
        History h = trainer.fit(new DataLoader(tv.first(), 64, true, 0, false), DataLoader.inOrder(tv.second(), 1000));
        Evaluation test = trainer.evaluate(DataLoader.inOrder(fashion.second(), 1000));
        assertThat(h.epochs()).hasSize(2);
        assertThat(test.accuracy()).isGreaterThan(0.5);
    }

    @Test void autodiffExample() {
        Variable w = Variable.parameter(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        Variable x = Variable.constant(Tensor.of(new float[] {1, 0.5f}, 1, 2));
        Variable loss = x.matmul(w).relu().sum();
        loss.backward();
        // x @ w = [1 + 1.5, 2 + 2] > 0, so d(sum)/dw[i][j] = x[i]
        assertThat(w.grad().toFloatArray()).containsExactly(1f, 1f, 0.5f, 0.5f);
        try (var g = GradMode.noGrad()) {
            assertThat(x.matmul(w).requiresGrad()).isFalse();
        }
    }

    /** The README's graph / zoo / transfer / checkpoint / session lines (ONNX's are in the onnx module's tests). */
    @Test void graphZooTransferCheckpointAndSessionExample() throws Exception {
        dev.lathe.nn.Graph.Builder g = dev.lathe.nn.Graph.builder();
        String y = dev.lathe.models.Blocks.basic(g, "block", dev.lathe.nn.Graph.INPUT, 16, 16, 1);
        dev.lathe.nn.Graph net = g.build(y);
        assertThat(net.outputShape(dev.lathe.tensor.Shape.batchOf(16, 8, 8))).isEqualTo(dev.lathe.tensor.Shape.batchOf(16, 8, 8));
        dev.lathe.nn.Graph resnet = dev.lathe.models.Zoo.build("resnet18", 10, dev.lathe.tensor.Shape.batchOf(3, 32, 32), 0);
        resnet.replace("fc", new Linear(512, 5));
        resnet.freeze("").unfreeze("fc");
        Adam opt = new Adam(resnet.parameters(), 1e-3);
        opt.scaleLearningRate(resnet.parameters("layer4"), 0.1);
        assertThat(resnet.trainableParameterCount()).isEqualTo(512 * 5 + 5);
        Path ck = dir.resolve("run.ckpt");
        dev.lathe.train.Checkpoint.save(ck, java.util.Map.of("model", "resnet18"), resnet, opt, 3);
        dev.lathe.train.Checkpoint.load(ck).restore(resnet, opt);
        java.util.Map<String, Tensor> w = dev.lathe.io.Safetensors.read(ck).tensors();
        assertThat(w).containsKey("model.fc.weight");
        Sequential model = new Sequential(new Flatten(), new Linear(784, 10));
        model.resetParameters(new Random(0));
        dev.lathe.runtime.Session s = dev.lathe.runtime.InferencePlan.freeze(model, dev.lathe.tensor.Shape.batchOf(1, 28, 28)).session();
        float[] pixels = new float[784], logits = new float[10];
        s.predict(pixels, logits);
        assertThat(logits).containsOnly(0f);  // zero input, zero bias
    }

    /** The README's embedding, pruning and int8 lines. */
    @Test void predictorPruningAndInt8Example() throws Exception {
        Sequential model = dev.lathe.models.Mlp.of(784, new int[] {32}, 10, "relu", "he", 0, 1);
        java.util.Map<String, String> spec = new java.util.LinkedHashMap<>(java.util.Map.of("model", "mlp", "hidden", "32", "activation", "relu", "init", "he", "dropout", "0.0", "seed", "1"));
        Path ck = dir.resolve("run.ckpt");
        dev.lathe.train.Checkpoint.save(ck, spec, model, new Adam(model.parameters(), 1e-3), 1);
        dev.lathe.predict.Predictor p = dev.lathe.predict.Predictor.load(ck, 1);
        float[] pixels = new float[784];
        float[] logits = p.predict(pixels);
        int cls = p.predictClass(pixels);
        assertThat(logits).hasSize(10);
        assertThat(cls).isBetween(0, 9);
        dev.lathe.compress.Pruning pr = dev.lathe.compress.Pruning.of(model).pruneGlobalTo(0.9);
        assertThat(pr.sparsity()).isCloseTo(0.9, org.assertj.core.data.Offset.offset(1e-3));
        dev.lathe.runtime.InferencePlan plan = dev.lathe.runtime.InferencePlan.freeze(model, dev.lathe.tensor.Shape.batchOf(1, 28, 28));
        Tensor calibrationImages = Tensor.normal(new Random(2), 0, 1, 20, 1, 28, 28);
        dev.lathe.runtime.QuantizedPlan q8 = dev.lathe.runtime.QuantizedPlan.quantize(plan, calibrationImages, dev.lathe.runtime.QuantizedPlan.Calibration.MINMAX);
        float[] y8 = q8.session(1).predict(pixels);
        assertThat(y8).hasSize(10);
    }
}
