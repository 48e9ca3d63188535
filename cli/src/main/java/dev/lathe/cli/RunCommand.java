package dev.lathe.cli;

import dev.lathe.onnx.OnnxModel;
import dev.lathe.onnx.Value;
import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lathe run model.onnx --input x.npy}: runs an ONNX model on one input and prints the outputs. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run an ONNX model on an input (.npy or a TensorProto .pb) and print its outputs.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "The .onnx model.")
    Path model;
    @Option(names = "--input", required = true, description = "Input tensor: a .npy array (float32, float64, int64) or a TensorProto .pb file.")
    Path input;
    @Option(names = "--show", defaultValue = "10", description = "Values to print per output (default: ${DEFAULT-VALUE}).")
    int show;
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        OnnxModel m = OnnxModel.load(model);
        if (m.inputNames().size() != 1) throw new IllegalArgumentException(model + " takes " + m.inputNames().size() + " inputs " + m.inputNames() + "; lathe run feeds one");
        Value x;
        if (input.toString().endsWith(".npy")) {
            Tensor t = Npy.read(input);
            x = t.dtype() == DType.FLOAT64 ? Value.of(t.to(DType.FLOAT32)) : Value.of(t);
        } else {
            x = dev.lathe.onnx.Conformance.read(input);
        }
        var out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        Map<String, Value> y = m.run(Map.of(m.inputNames().get(0), x));
        double ms = (System.nanoTime() - t0) / 1e6;
        for (var e : y.entrySet()) {
            double[] v = e.getValue().tensor().toDoubleArray();
            StringBuilder vals = new StringBuilder();
            for (int i = 0; i < Math.min(show, v.length); i++) vals.append(i == 0 ? "" : " ").append(String.format(java.util.Locale.ROOT, "%.6g", v[i]));
            out.printf("output %s shape %s: %s%s%n", e.getKey(), Arrays.toString(e.getValue().shape()), vals, v.length > show ? " ..." : "");
        }
        Value first = y.values().iterator().next();
        int[] s = first.shape();
        int arg = s.length == 2 ? first.tensor().argmax(1)[0] : -1;
        out.printf(java.util.Locale.ROOT, "result outputs=%d first_shape=%s argmax=%d ms=%.3f%n", y.size(), Arrays.toString(s).replace(" ", ""), arg, ms);
        return 0;
    }
}
