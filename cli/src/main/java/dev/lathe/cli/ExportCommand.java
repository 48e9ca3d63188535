package dev.lathe.cli;

import dev.lathe.codegen.CExport;
import dev.lathe.onnx.OnnxExport;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.runtime.QuantizedPlan;
import dev.lathe.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lathe export MODEL --format onnx -o FILE}: writes a trained checkpoint (or a named model) as
 * ONNX; {@code --format c -o DIR [--int8 --calibration N]} as C99 for a microcontroller, with the
 * footprint report.
 */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Export a model (a checkpoint from 'train --save', or a model name) to ONNX, or to C99 (--format c).")
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "A checkpoint file from 'lathe train --save', or a model name (fresh weights).")
    String model;
    @Option(names = "--format", defaultValue = "onnx", description = "Output format: onnx or c (model.h + model.c in the -o directory) (default: ${DEFAULT-VALUE}).")
    String format;
    @Option(names = {"-o", "--output"}, required = true, description = "File to write (atomically); for --format c a directory.")
    Path output;
    @Option(names = "--int8", description = "c: the int8 model (post-training quantization; a checkpoint calibrates on its training images, a named model on random inputs).")
    boolean int8;
    @Option(names = "--calibration", defaultValue = "500", description = "c --int8: calibration samples (default: ${DEFAULT-VALUE}).")
    int calibration;
    @Mixin ZooOptions zoo = new ZooOptions();
    @Mixin TrainOptions options = new TrainOptions();
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        if (!format.equals("onnx") && !format.equals("c")) throw new IllegalArgumentException("--format " + format + " is not supported (onnx, c)");
        if (int8 && !format.equals("c")) throw new IllegalArgumentException("--int8 applies to --format c (for an int8 ONNX file: lathe quantize)");
        if (calibration < 1) throw new IllegalArgumentException("--calibration must be >= 1, got " + calibration);
        var out = spec.commandLine().getOut();
        Path file = Path.of(model);
        if (format.equals("c") && Files.isRegularFile(file) && !model.endsWith(".onnx")
                && CharRun.isCharModel(dev.lathe.train.Checkpoint.load(file).spec().getOrDefault("model", ""))) {
            // the course's char-LSTM/GRU: a stateful stepper (model_reset, model_step), fp32
            if (int8) throw new IllegalArgumentException("--int8: recurrent models have no int8 path yet (export fp32)");
            CExport.Result res = dev.lathe.codegen.CRecurrent.writeCharModel(CharRun.load(file), output);
            out.printf("wrote %s and %s: char model from %s, fp32 (model_reset, model_step)%n", res.header(), res.source(), model);
            CFootprint.print(out, res);
            return 0;
        }
        ModelSource.Resolved r = ModelSource.resolve(model, zoo.input, zoo.classes, options);
        if (format.equals("c")) {
            InferencePlan plan = InferencePlan.freeze(r.model(), r.input());
            long macs = r.model().macs(r.input().with(0, 1));
            CExport.Result res;
            if (int8) {
                boolean checkpoint = Files.isRegularFile(Path.of(model)) && !model.endsWith(".onnx");
                Tensor cal = checkpoint ? QuantizeCommand.samples(FashionRun.data(options).first(), calibration)
                        : Tensor.normal(new java.util.Random(options.seed), 0, 1, plan.input().with(0, calibration).dims());
                res = CExport.write(QuantizedPlan.quantize(plan, cal, QuantizedPlan.Calibration.MINMAX), macs, output);
            } else {
                res = CExport.write(plan, macs, output);
            }
            out.printf("wrote %s and %s: %s, input %s, %s%n", res.header(), res.source(), r.description(), r.input(), int8 ? "int8" : "fp32");
            CFootprint.print(out, res);
            return 0;
        }
        OnnxExport.write(r.model(), r.input(), output);
        out.printf("wrote %s: %s, input %s, opset %d%n", output, r.description(), r.input(), OnnxExport.OPSET);
        return 0;
    }
}
