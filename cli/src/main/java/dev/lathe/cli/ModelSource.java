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

    record Resolved(Module model, Shape input, String description) {}

    static Resolved resolve(String arg, int[] input, Integer classes, TrainOptions options) throws IOException {
        Path file = Path.of(arg);
        if (Files.isRegularFile(file) && arg.endsWith(".onnx")) {
            if (input != null || classes != null) throw new IllegalArgumentException("--input and --classes do not apply to an ONNX file; its graph fixes them");
            var im = dev.lathe.onnx.OnnxImport.toModule(dev.lathe.onnx.OnnxModel.load(file), arg);
            return new Resolved(im.model(), im.input(), arg + " (ONNX)");
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
