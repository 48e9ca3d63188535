package dev.lathe.cli;

import dev.lathe.data.Dataset;
import dev.lathe.data.Split;
import dev.lathe.onnx.OnnxQdq;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.runtime.QuantizedPlan;
import dev.lathe.runtime.QuantizedSession;
import dev.lathe.runtime.Session;
import dev.lathe.tensor.Tensor;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lathe quantize MODEL --calibration N -o model-int8.onnx}: post-training int8 quantization of
 * a trained Fashion-MNIST checkpoint, calibrated on the first N training images; scores fp32 and int8
 * (Lathe's int8 runtime) on the whole test set and writes the int8 model as ONNX QDQ.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true, description = "Quantize a trained checkpoint to int8 (per-channel weights, calibrated activations); writes ONNX QDQ; ends with a 'result ...' line.")
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "A checkpoint from 'lathe train --save'.")
    Path model;
    @Option(names = "--calibration", defaultValue = "500", description = "Training images that calibrate the activation ranges (default: ${DEFAULT-VALUE}).")
    int calibration;
    @Option(names = "--method", defaultValue = "minmax", description = "Activation ranges: minmax or percentile (0.01% / 99.99%, mean over batches of 100) (default: ${DEFAULT-VALUE}).")
    String method;
    @Option(names = {"-o", "--output"}, required = true, description = "The int8 model as ONNX QDQ (QuantizeLinear/DequantizeLinear around float ops).")
    Path output;
    @Option(names = "--data", defaultValue = "/usr/share/datasets/fashion-mnist", description = "Fashion-MNIST directory (default: ${DEFAULT-VALUE}).")
    Path data;
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        if (calibration < 1) throw new IllegalArgumentException("--calibration must be >= 1, got " + calibration);
        QuantizedPlan.Calibration how = switch (method) {
            case "minmax" -> QuantizedPlan.Calibration.MINMAX;
            case "percentile" -> QuantizedPlan.Calibration.PERCENTILE;
            default -> throw new IllegalArgumentException("--method must be minmax or percentile, got '" + method + "'");
        };
        TrainRun.Trained t = TrainRun.fromCheckpoint(model, data, 0);
        Split d = t.data();
        InferencePlan plan = InferencePlan.freeze(t.model(), TrainRun.inputShape(t.options()));
        int n = Math.min(calibration, d.first().size());
        QuantizedPlan q = QuantizedPlan.quantize(plan, samples(d.first(), n), how);
        out.print(q.describe());
        double[] acc = accuracy(plan.session(1), q.session(), d.second());
        OnnxQdq.write(q, output);
        out.printf(Locale.ROOT, "wrote %s (ONNX QDQ, opset %d)%n", output, dev.lathe.onnx.OnnxExport.OPSET);
        out.printf(Locale.ROOT, "result fp32_test_accuracy=%.4f int8_test_accuracy=%.4f agreement=%.4f weight_bytes_fp32=%d weight_bytes_int8=%d%n",
                acc[0], acc[1], acc[2], q.floatWeightBytes(), q.int8WeightBytes());
        return 0;
    }

    /** The first n samples (all of them when the dataset is smaller: a small table calibrates on every row). */
    static Tensor samples(Dataset ds, int want) {
        int per = ds.sampleSize(), n = Math.min(want, ds.size());
        float[] x = new float[n * per];
        for (int i = 0; i < n; i++) ds.copySample(i, x, i * per);
        int[] shape = new int[ds.sampleShape().length + 1];
        shape[0] = n;
        System.arraycopy(ds.sampleShape(), 0, shape, 1, shape.length - 1);
        return Tensor.of(x, shape);
    }

    /** fp32 accuracy, int8 accuracy, and the fraction of images where both predict the same class. */
    static double[] accuracy(Session fp, QuantizedSession q, Dataset test) {
        float[] x = new float[test.sampleSize()];
        int okF = 0, okQ = 0, same = 0;
        for (int i = 0; i < test.size(); i++) {
            test.copySample(i, x, 0);
            int a = argmax(fp.predict(x)), b = argmax(q.predict(x));
            if (a == test.label(i)) okF++;
            if (b == test.label(i)) okQ++;
            if (a == b) same++;
        }
        return new double[] {(double) okF / test.size(), (double) okQ / test.size(), (double) same / test.size()};
    }

    static int argmax(float[] y) {
        int best = 0;
        for (int i = 1; i < y.length; i++) if (y[i] > y[best]) best = i;
        return best;
    }
}
