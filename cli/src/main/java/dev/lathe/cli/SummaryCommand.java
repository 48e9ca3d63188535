package dev.lathe.cli;

import dev.lathe.onnx.OnnxModel;
import dev.lathe.onnx.Value;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lathe summary MODEL}: the Keras-style layer table of a named or zoo model, a checkpoint, or an ONNX file's graph. */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Print a model's layers, output shapes, parameters, MACs and memory.")
final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "A model name (mlp, cnn, classic-cnn, or a zoo model: alexnet, vgg11, vgg16, googlenet, resnet18, resnet34, resnet50, "
            + "squeezenet1_0, squeezenet1_1, mobilenet_v1, mobilenet_v2, densenet121, and the -mini variants), a checkpoint from 'train --save', or a .onnx file.")
    String model;
    @Mixin ZooOptions zoo = new ZooOptions();
    @Option(names = "--plan", description = "Print the frozen inference plan at batch 1 instead: fused steps, the memory arena next to its lower bound, the session's layout and fused blocks.")
    boolean plan;
    @Mixin TrainOptions options = new TrainOptions();
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        if (model.endsWith(".onnx") && !plan) {
            out.print(onnxSummary(OnnxModel.load(Path.of(model))));
            return 0;
        }
        ModelSource.Resolved r = ModelSource.resolve(model, zoo.input, zoo.classes, options);
        if (!plan) {
            out.print(r.layers().summary(r.input()));
            return 0;
        }
        dev.lathe.runtime.InferencePlan p = r.plan();
        out.print(p.describe());
        dev.lathe.runtime.Session s = p.session(1);
        out.printf("Batch-1 session: %s%s, %d inverted residual block(s) fused into one kernel each; its arena %,d values (%,d bytes), lower bound %,d%n",
                s.channelsLast() ? "channels-last ([h, w, c] activations)" : "channels-first (a step has no channels-last kernel)",
                s.planarStem() ? ", the first conv reading the input channels-first" : s.channelsLast() ? ", the input transposed in (no planar stem: " + s.planarStemUnfit() + ")" : "", s.fusedBlocks(),
                s.memoryPlan().arenaSize(), s.memoryPlan().arenaSize() * 4, s.memoryPlan().lowerBound());
        return 0;
    }

    static String onnxSummary(OnnxModel m) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("ONNX model: opset %d, producer '%s', %d nodes%n", m.opset(), m.proto().getProducerName(), m.nodes().size()));
        b.append("inputs: ").append(m.inputNames()).append("   outputs: ").append(m.outputNames()).append('\n');
        int w = 4;
        for (var n : m.nodes()) w = Math.max(w, n.getName().length());
        for (var n : m.nodes()) {
            b.append(String.format("%-" + w + "s  %-20s %s -> %s%n", n.getName(), n.getOpType(), n.getInputList(), n.getOutputList()));
        }
        long params = 0;
        for (Value v : m.initializers().values()) params += v.tensor().numel();
        b.append(String.format("Initializers: %,d tensors, %,d values%n", m.initializers().size(), params));
        return b.toString();
    }
}
