package dev.lathe.cli;

import dev.lathe.models.Zoo;
import dev.lathe.nn.Module;
import dev.lathe.tensor.Shape;
import dev.lathe.train.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a MODEL argument names: a training checkpoint written by {@code lathe train --save} (its
 * settings rebuild the model, its weights fill it), or a model name (fresh weights from --seed):
 * mlp, cnn, classic-cnn, or a zoo model; or an .onnx file (converted to Lathe layers, {@code OnnxImport}) at --input/--classes (3x224x224 / 1000; 3x32x32 / 10 for -mini).
 */
final class ModelSource {
    private ModelSource() {}

    /**
     * A model to run or export: nn layers (null for an ONNX graph they cannot hold: non-square kernels,
     * asymmetric pads), or the IR program an ONNX file lowered to (null otherwise).
     */
    record Resolved(Module model, Shape input, String description, dev.lathe.ir.Program program) {
        Resolved(Module model, Shape input, String description) { this(model, input, description, null); }

        /** The frozen plan: the ONNX program through the inference passes, or the nn model frozen. */
        dev.lathe.runtime.InferencePlan plan() {
            return program != null ? dev.lathe.runtime.InferencePlan.of(dev.lathe.ir.Pass.all(program, dev.lathe.ir.Pass.INFERENCE)) : dev.lathe.runtime.InferencePlan.freeze(model, input);
        }

        /** The nn layers, or an error saying why an ONNX graph has none. */
        Module layers() {
            if (model != null) return model;
            try {
                return dev.lathe.ir.Raising.toGraph(program);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(description + ": " + e.getMessage(), e);
            }
        }
    }

    static Resolved resolve(String arg, int[] input, Integer classes, TrainOptions options) throws IOException {
        Path file = Path.of(arg);
        if (Files.isRegularFile(file) && arg.endsWith(".onnx")) {
            if (input != null || classes != null) throw new IllegalArgumentException("--input and --classes do not apply to an ONNX file; its graph fixes them");
            dev.lathe.ir.Program p = dev.lathe.onnx.OnnxImport.toProgram(dev.lathe.onnx.OnnxModel.load(file), arg);
            return new Resolved(null, p.inputs().get(dev.lathe.nn.Graph.INPUT), arg + " (ONNX)", p);
        }
        if (Files.isRegularFile(file)) {
            if (input != null || classes != null) throw new IllegalArgumentException("--input and --classes do not apply to a checkpoint; it carries its model's settings");
            Checkpoint c = Checkpoint.load(file);
            Module m = TrainRun.restore(c, options, arg);
            return new Resolved(m.eval(), TrainRun.inputShape(options), options.model + " from " + arg + " (epoch " + c.epoch() + ")");
        }
        if (Zoo.has(arg)) {
            boolean mini = arg.endsWith("-mini");
            int[] chw = input != null ? input : mini ? new int[] {3, 32, 32} : new int[] {3, 224, 224};
            if (chw.length != 3) throw new IllegalArgumentException("--input needs channels,height,width, got " + chw.length + " numbers");
            Shape in = Shape.batchOf(chw);
            return new Resolved(Zoo.build(arg, classes != null ? classes : mini ? 10 : 1000, in, options.seed).eval(), in, arg + " (fresh weights, seed " + options.seed + ")");
        }
        if (input != null || classes != null) throw new IllegalArgumentException("--input and --classes apply to zoo models; '" + arg + "' has a fixed input");
        if (arg.contains("/") || arg.contains(".")) throw new java.nio.file.NoSuchFileException(arg);
        options.model = arg;
        return new Resolved(TrainRun.model(options).eval(), TrainRun.inputShape(options), arg + " (fresh weights, seed " + options.seed + ")");
    }
}
