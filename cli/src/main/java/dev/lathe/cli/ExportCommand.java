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

    /** Held-out characters scored after calibration (the --corpus text that follows the calibration part). */
    static final int HELD_OUT = 2000;

    /**
     * The --corpus characters the vocabulary holds, up to --calibration + {@link #HELD_OUT} of them,
     * read once: the calibration text first, the held-out text after it; empty without a corpus.
     */
    private int[] corpusIds(char[] vocab) throws java.io.IOException {
        if (!Files.exists(options.corpus)) return new int[0];
        String text = dev.lathe.data.CharCorpus.read(options.corpus).text();
        StringBuilder kept = new StringBuilder();
        for (int i = 0; i < text.length() && kept.length() < calibration + HELD_OUT; i++) {
            if (java.util.Arrays.binarySearch(vocab, text.charAt(i)) >= 0) kept.append(text.charAt(i));
        }
        return dev.lathe.data.CharCorpus.encode(kept.toString(), vocab);
    }

    /** Calibration ids: the corpus part, or, when the corpus holds fewer than 2 vocabulary characters, text the float model writes itself. */
    private int[] charCalibration(dev.lathe.models.CharModel m, int[] corpus, java.io.PrintWriter out) {
        int n = Math.min(calibration, corpus.length);
        if (n >= 2) {
            out.printf("lathe: calibrating on the first %d characters of %s%n", n, options.corpus);
            return java.util.Arrays.copyOf(corpus, n);
        }
        char[] vocab = m.vocabulary();
        String text = m.generate(String.valueOf(vocab[0]), calibration, 1.0, 0, new java.util.Random(options.seed));
        out.printf("lathe: calibrating on %d characters the float model wrote (no --corpus text in its vocabulary)%n", text.length());
        return dev.lathe.data.CharCorpus.encode(text, vocab);
    }

    /** Mean -log2 p(next char) of the float model and of the int8 one, each run from a zero state over the text. */
    private static double[] bitsPerChar(dev.lathe.models.CharModel m, dev.lathe.runtime.QuantizedCharModel q, int[] ids) {
        int v = q.vocabSize(), n = ids.length - 1;
        float[] fl = m.logits(java.util.Arrays.copyOf(ids, n));
        q.reset();
        float[] y = new float[v];
        double f = 0, i8 = 0;
        for (int t = 0; t < n; t++) {
            q.step(ids[t], y);
            f += nll(fl, t * v, v, ids[t + 1]);
            i8 += nll(y, 0, v, ids[t + 1]);
        }
        q.reset();
        return new double[] {f / n / Math.log(2), i8 / n / Math.log(2)};
    }

    private static double nll(float[] logits, int off, int v, int target) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int k = 0; k < v; k++) max = Math.max(max, logits[off + k]);
        for (int k = 0; k < v; k++) sum += Math.exp(logits[off + k] - max);
        return Math.log(sum) + max - logits[off + target];
    }

    @Override public Integer call() throws Exception {
        if (!format.equals("onnx") && !format.equals("c")) throw new IllegalArgumentException("--format " + format + " is not supported (onnx, c)");
        if (int8 && !format.equals("c")) throw new IllegalArgumentException("--int8 applies to --format c (for an int8 ONNX file: lathe quantize)");
        if (calibration < 1) throw new IllegalArgumentException("--calibration must be >= 1, got " + calibration);
        var out = spec.commandLine().getOut();
        Path file = Path.of(model);
        if (format.equals("c") && Files.isRegularFile(file) && !model.endsWith(".onnx")
                && CharRun.isCharModel(dev.lathe.train.Checkpoint.load(file).spec().getOrDefault("model", ""))) {
            // the course's char-LSTM/GRU: a stateful stepper (model_reset, model_step), fp32 or integer-only int8
            dev.lathe.models.CharModel cm = CharRun.load(file);
            CExport.Result res;
            if (int8) {
                int[] corpus = corpusIds(cm.vocabulary());
                int[] cal = charCalibration(cm, corpus, out);
                var q = new dev.lathe.runtime.QuantizedCharModel(cm.embedding(), cm.recurrent(), cm.head(), cm.logits(cal));
                int[] held = java.util.Arrays.copyOfRange(corpus, Math.min(calibration, corpus.length), corpus.length);
                if (held.length > 1) {
                    double[] bpc = bitsPerChar(cm, q, held);
                    out.printf(java.util.Locale.ROOT, "bits per char on %d held-out characters (after the calibration text): fp32 %.4f, int8 %.4f%n", held.length - 1, bpc[0], bpc[1]);
                }
                res = dev.lathe.codegen.CRecurrent.writeCharModelInt8(q, cm.vocabulary(), output);
            } else {
                res = dev.lathe.codegen.CRecurrent.writeCharModel(cm, output);
            }
            out.printf("wrote %s and %s: char model from %s, %s (model_reset, model_step)%n", res.header(), res.source(), model, int8 ? "int8" : "fp32");
            CFootprint.print(out, res);
            return 0;
        }
        ModelSource.Resolved r = ModelSource.resolve(model, zoo.input, zoo.classes, options);
        if (format.equals("c")) {
            InferencePlan plan = r.plan();
            long macs = r.model() != null ? r.model().macs(r.input().with(0, 1)) : 0;
            CExport.Result res;
            if (int8) {
                boolean checkpoint = Files.isRegularFile(Path.of(model)) && !model.endsWith(".onnx");
                Tensor cal = checkpoint ? QuantizeCommand.samples(TrainRun.data(options).first(), calibration)
                        : Tensor.normal(new java.util.Random(options.seed), 0, 1, plan.input().with(0, calibration).dims());
                res = CExport.write(QuantizedPlan.quantize(plan, cal, QuantizedPlan.Calibration.MINMAX), macs, output);
            } else {
                res = CExport.write(plan, macs, output);
            }
            if (options.preprocessing != null) {  // set only by a checkpoint trained with --data
                dev.lathe.codegen.CPreprocessing.addTo(res.header(), options.preprocessing);
                out.println("preprocessing constants (input mean/std, class names or target scale) in " + res.header());
            }
            out.printf("wrote %s and %s: %s, input %s, %s%n", res.header(), res.source(), r.description(), r.input(), int8 ? "int8" : "fp32");
            CFootprint.print(out, res);
            return 0;
        }
        // a model trained on a table, images or arrays takes raw values: its preprocessing becomes nodes at the graph's ends
        dev.lathe.data.Preprocessing prep = options.preprocessing;  // set only by a checkpoint trained with --data
        if (r.program() != null) {  // an ONNX file in: its program after the inference passes (folded, fused), whatever nn layers could hold
            dev.lathe.onnx.PlanExport.write(dev.lathe.ir.Pass.all(r.program(), dev.lathe.ir.Pass.INFERENCE), output);
            out.printf("wrote %s: %s after the inference passes, input %s, opset %d%n", output, r.description(), r.input(), OnnxExport.OPSET);
            return 0;
        }
        OnnxExport.write(r.layers(), r.input(), prep, output);
        out.printf("wrote %s: %s, input %s, opset %d%n", output, r.description(), r.input(), OnnxExport.OPSET);
        if (prep != null) out.println("input: " + dev.lathe.onnx.OnnxPreprocessing.describe(prep) + "; output: " + (prep.target() instanceof dev.lathe.data.Preprocessing.Classes c
                ? "logits of " + c.names() : "'" + ((dev.lathe.data.Preprocessing.Regression) prep.target()).column() + "' in its units"));
        return 0;
    }
}
