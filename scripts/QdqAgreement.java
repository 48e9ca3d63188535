import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.data.ArrayDataset;
import dev.lathe.data.FashionMnist;
import dev.lathe.data.Split;
import dev.lathe.models.ModelSpec;
import dev.lathe.nn.Module;
import dev.lathe.onnx.OnnxQdq;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.runtime.QuantizedPlan;
import dev.lathe.runtime.QuantizedSession;
import dev.lathe.tensor.Tensor;
import dev.lathe.train.Checkpoint;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * ONNX Runtime against Lathe's int8 runtime on the whole Fashion-MNIST test set, for a trained checkpoint:
 * quantize (first 500 training images calibrate, min/max), export QDQ, run both, count equal predictions and
 * the largest output difference in quantization steps. scripts/check-qdq.sh runs it.
 */
public class QdqAgreement {
    public static void main(String[] args) throws Exception {
        Checkpoint c = Checkpoint.load(Path.of(args[0]));
        Module m = ModelSpec.build(c.spec(), args[0]);
        m.loadStateDict(c.weights());
        double mean = Double.parseDouble(c.spec().get("input_mean")), std = Double.parseDouble(c.spec().get("input_std"));
        Split d = FashionMnist.load(FashionMnist.DEFAULT_DIR);
        ArrayDataset train = d.first().normalized(mean, std), test = d.second().normalized(mean, std);
        InferencePlan plan = InferencePlan.freeze(m, ModelSpec.inputShape(c.spec(), args[0]));
        int per = train.sampleSize(), n = 500;
        float[] cal = new float[n * per];
        for (int i = 0; i < n; i++) train.copySample(i, cal, i * per);
        QuantizedPlan q = QuantizedPlan.quantize(plan, Tensor.of(cal, n, 1, 28, 28), QuantizedPlan.Calibration.MINMAX);
        Path file = Files.createTempFile("lathe-qdq", ".onnx");
        OnnxQdq.write(q, file);
        QuantizedSession s = q.session(1);
        float step = q.steps().get(q.steps().size() - 1).out().scale();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int same = 0, maxSteps = 0, okLathe = 0, okOrt = 0;
        long withinOne = 0, outputs = 0;
        try (OrtSession ort = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            float[] x = new float[per];
            for (int i = 0; i < test.size(); i++) {
                test.copySample(i, x, 0);
                float[] a = s.predict(x);
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, 1, 28, 28}); OrtSession.Result r = ort.run(Map.of("input", t))) {
                    float[] b = ((float[][]) r.get(0).getValue())[0];
                    for (int k = 0; k < b.length; k++) {
                        int st = Math.round(Math.abs(a[k] - b[k]) / step);
                        maxSteps = Math.max(maxSteps, st);
                        if (st <= 1) withinOne++;
                        outputs++;
                    }
                    int pa = argmax(a), pb = argmax(b);
                    if (pa == pb) same++;
                    if (pa == test.label(i)) okLathe++;
                    if (pb == test.label(i)) okOrt++;
                }
            }
        }
        Files.delete(file);
        System.out.printf(java.util.Locale.ROOT, "qdq %s images %d same_prediction %d lathe_int8_acc %.4f ort_int8_acc %.4f outputs_within_1_step %.5f max_steps %d%n",
                args[0], test.size(), same, (double) okLathe / test.size(), (double) okOrt / test.size(), (double) withinOne / outputs, maxSteps);
    }

    static int argmax(float[] y) {
        int b = 0;
        for (int i = 1; i < y.length; i++) if (y[i] > y[b]) b = i;
        return b;
    }
}
