package dev.lathe.cli;

import dev.lathe.onnx.OnnxExport;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lathe export MODEL --format onnx -o FILE}: writes a trained checkpoint (or a named model) as ONNX. */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Export a model (a checkpoint from 'train --save', or a model name) to ONNX.")
final class ExportCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "A checkpoint file from 'lathe train --save', or a model name (fresh weights).")
    String model;
    @Option(names = "--format", defaultValue = "onnx", description = "Output format: onnx (default: ${DEFAULT-VALUE}).")
    String format;
    @Option(names = {"-o", "--output"}, required = true, description = "File to write (atomically).")
    Path output;
    @Mixin ZooOptions zoo = new ZooOptions();
    @Mixin TrainOptions options = new TrainOptions();
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        if (!format.equals("onnx")) throw new IllegalArgumentException("--format " + format + " is not supported (onnx)");
        ModelSource.Resolved r = ModelSource.resolve(model, zoo.input, zoo.classes, options);
        OnnxExport.write(r.model(), r.input(), output);
        var out = spec.commandLine().getOut();
        out.printf("wrote %s: %s, input %s, opset %d%n", output, r.description(), r.input(), OnnxExport.OPSET);
        return 0;
    }
}
