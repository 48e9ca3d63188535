package dev.lathe.cli;

import dev.lathe.onnx.OnnxImport;
import dev.lathe.onnx.OnnxModel;
import dev.lathe.onnx.UnsupportedOperatorException;
import dev.lathe.onnx.Value;
import dev.lathe.data.Npy;
import dev.lathe.predict.Predictor;
import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lathe run MODEL --input x.npy}: runs a model on an input and prints the outputs. A Lathe
 * checkpoint or an ONNX graph the runtime can express runs in the batch-1 runtime (one call per
 * sample of the input); other ONNX graphs run in the op-by-op interpreter.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run a model (.onnx or a checkpoint from 'train --save') on an input and print or write its predictions.")
final class RunCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "The model: an .onnx file or a Lathe checkpoint.")
    Path model;
    @Option(names = "--input", required = true, paramLabel = "PATH", description = "Input: a .npy array or a TensorProto .pb; for a model trained with --data also "
            + "a CSV (raw rows, columns by name), an image, or a folder of images (class-named sub-folders are scored).")
    Path input;
    @Option(names = "--output", paramLabel = "FILE", description = "Write the predictions: .csv (id, predicted class or value, truth if known, probability per class) or .npy (raw outputs [N, outputs]).")
    Path output;
    @Option(names = "--show", defaultValue = "10", description = "Values to print per output (default: ${DEFAULT-VALUE}).")
    int show;
    @Option(names = "--engine", defaultValue = "auto", description = "runtime (frozen batch-1 plan), interpreter (ONNX op by op) or auto: the runtime when the graph converts (default: ${DEFAULT-VALUE}).")
    String engine;
    @Option(names = "--threads", defaultValue = "0", description = "Kernel threads of the runtime session (0 = all cores).")
    int threads;
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        if (!Arrays.asList("auto", "runtime", "interpreter").contains(engine)) throw new IllegalArgumentException("--engine must be auto, runtime or interpreter, got '" + engine + "'");
        if (threads < 0) throw new IllegalArgumentException("--threads must be >= 0, got " + threads);
        PrintWriter out = spec.commandLine().getOut();
        if (output != null && model.toString().endsWith(".onnx")) throw new IllegalArgumentException("--output writes the predictions of a checkpoint trained with --data; " + model + " is an ONNX file");
        if (!model.toString().endsWith(".onnx")) {
            if (engine.equals("interpreter")) throw new IllegalArgumentException("--engine interpreter runs .onnx files; " + model + " is a checkpoint");
            if (!java.nio.file.Files.isRegularFile(model)) throw new java.nio.file.NoSuchFileException(model.toString(), null, "no such model file");
            dev.lathe.train.Checkpoint c = dev.lathe.train.Checkpoint.load(model);
            Predictor p = c.spec().containsKey("from") ? fineTunedPredictor(c) : Predictor.of(c, model.toString(), threads);
            if (p.preprocessing() != null) return predictions(out, p);
            return runtime(out, p, readInput());
        }
        Tensor x = readInput();
        OnnxModel m = OnnxModel.load(model);
        if (!engine.equals("interpreter")) {
            dev.lathe.ir.Program program = null;
            try {
                program = OnnxImport.toProgram(m, model.toString());
            } catch (UnsupportedOperatorException e) {  // only a node the IR cannot express falls back; a malformed file is an error either way
                if (engine.equals("runtime")) throw e;
                out.println("lathe: runtime cannot take this graph (" + e.getMessage() + "); interpreting it op by op");
            }
            if (program != null) {
                dev.lathe.runtime.InferencePlan plan = dev.lathe.runtime.InferencePlan.of(dev.lathe.ir.Pass.all(program, dev.lathe.ir.Pass.INFERENCE));
                if (plan.outputNames().size() > 1) return runtimeAll(out, plan.session(threads), x);
                return runtime(out, Predictor.of(plan, threads), x);
            }
        }
        return interpret(out, m, x);
    }

    /** A checkpoint fine-tuned from an ONNX file: the graph rebuilt from that file (the core cannot), then its weights. */
    private Predictor fineTunedPredictor(dev.lathe.train.Checkpoint c) {
        TrainOptions o = new TrainOptions();
        dev.lathe.nn.Module m = TrainRun.restore(c, o, model.toString());
        return Predictor.of(m.eval(), TrainRun.inputShape(o), threads, o.preprocessing);
    }

    /** A model with a preprocessing record: raw records in, predictions printed or written. */
    private int predictions(PrintWriter out, Predictor p) throws java.io.IOException {
        long t0 = System.nanoTime();
        java.util.List<Predictions.Row> rows = Predictions.predict(p, input, out, Boolean.getBoolean("lathe.tty"));
        double ms = (System.nanoTime() - t0) / 1e6;
        for (int i = 0; i < Math.min(3, rows.size()); i++) {
            Predictions.Row r = rows.get(i);
            out.printf("%s: %s (outputs %s)%n", r.id(), Predictions.predicted(p.preprocessing(), r.output()), values(r.output()));
        }
        if (output != null) {
            Predictions.write(output, rows, p.preprocessing());
            out.println("lathe: wrote " + rows.size() + " predictions to " + output);
        }
        out.printf(Locale.ROOT, "result engine=runtime samples=%d%s ms=%.3f%n", rows.size(), Predictions.score(p.preprocessing(), rows), ms);
        return 0;
    }

    private Tensor readInput() throws java.io.IOException {
        if (input.toString().endsWith(".npy")) {
            Tensor t = Npy.read(input);
            return t.dtype() == DType.FLOAT64 ? t.to(DType.FLOAT32) : t;
        }
        return dev.lathe.onnx.Conformance.read(input).tensor();
    }

    /** Every sample of x (a [N, ...] array, or one sample without the batch axis) through the session. */
    private int runtime(PrintWriter out, Predictor p, Tensor x) throws java.io.IOException {
        int per = p.inputSize();
        if (x.numel() % per != 0 || x.numel() == 0) {
            throw new IllegalArgumentException(input + ": shape " + Arrays.toString(x.shape()) + " holds " + x.numel() + " values; the model takes samples of " + per
                    + " (" + p.plan().input() + ")");
        }
        float[] all = x.to(DType.FLOAT32).toFloatArray(), sample = new float[per], y = new float[p.outputSize()];
        int n = all.length / per;
        int[] arg = new int[n];
        float[][] outputsOf = new float[n][];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            System.arraycopy(all, i * per, sample, 0, per);
            p.predict(sample, y);
            if (output != null) outputsOf[i] = y.clone();
            arg[i] = QuantizeCommand.argmax(y);
            if (i < 3) out.printf("output sample %d (%d values): %s%n", i, y.length, values(y));
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        if (output != null) {
            if (!output.toString().endsWith(".npy")) throw new IllegalArgumentException("--output " + output + ": a model without a preprocessing record writes raw outputs, as .npy");
            java.util.List<Predictions.Row> rows = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) rows.add(new Predictions.Row(Integer.toString(i), outputsOf[i], null));
            Predictions.write(output, rows, null);
            out.println("lathe: wrote " + n + " outputs to " + output);
        }
        out.printf(Locale.ROOT, "result engine=runtime samples=%d argmax=%s ms=%.3f%n", n,
                Arrays.toString(Arrays.copyOf(arg, Math.min(n, 20))).replace(" ", "") + (n > 20 ? "..." : ""), ms);
        return 0;
    }

    /** A model with several outputs (a detector's heads): every sample through the session, each output printed for the first samples. */
    private int runtimeAll(PrintWriter out, dev.lathe.runtime.Session s, Tensor x) {
        if (output != null) throw new IllegalArgumentException("--output: a model with several outputs " + s.outputNames() + " is printed, not written (yet)");
        int per = s.inputSize();
        if (x.numel() % per != 0 || x.numel() == 0) throw new IllegalArgumentException(input + ": shape " + Arrays.toString(x.shape()) + " does not hold samples of " + per + " values");
        float[] all = x.to(DType.FLOAT32).toFloatArray();
        int n = all.length / per;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            Map<String, float[]> y = s.predictAll(Arrays.copyOfRange(all, i * per, (i + 1) * per));
            int k = i;
            if (i < 3) y.forEach((name, v) -> out.printf("output sample %d %s (%d values): %s%n", k, name, v.length, values(v)));
        }
        out.printf(Locale.ROOT, "result engine=runtime samples=%d outputs=%s ms=%.3f%n", n, String.join(",", s.outputNames()), (System.nanoTime() - t0) / 1e6);
        return 0;
    }

    private int interpret(PrintWriter out, OnnxModel m, Tensor t) {
        if (m.inputNames().size() != 1) throw new IllegalArgumentException(model + " takes " + m.inputNames().size() + " inputs " + m.inputNames() + "; lathe run feeds one");
        Value x = input.toString().endsWith(".npy") ? Value.of(t) : null;
        if (x == null) {
            try {
                x = dev.lathe.onnx.Conformance.read(input);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        long t0 = System.nanoTime();
        Map<String, Value> y = m.run(Map.of(m.inputNames().get(0), x));
        double ms = (System.nanoTime() - t0) / 1e6;
        for (var e : y.entrySet()) {
            double[] v = e.getValue().tensor().toDoubleArray();
            out.printf("output %s shape %s: %s%n", e.getKey(), Arrays.toString(e.getValue().shape()), values(v));
        }
        Value first = y.values().iterator().next();
        int[] s = first.shape();
        int arg = s.length == 2 ? first.tensor().argmax(1)[0] : -1;
        out.printf(Locale.ROOT, "result engine=interpreter outputs=%d first_shape=%s argmax=%d ms=%.3f%n", y.size(), Arrays.toString(s).replace(" ", ""), arg, ms);
        return 0;
    }

    private String values(float[] v) {
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) d[i] = v[i];
        return values(d);
    }

    private String values(double[] v) {
        StringBuilder vals = new StringBuilder();
        for (int i = 0; i < Math.min(show, v.length); i++) vals.append(i == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.6g", v[i]));
        return vals + (v.length > show ? " ..." : "");
    }
}
