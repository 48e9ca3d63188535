package dev.lathe.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.nn.Module;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.runtime.QuantizedPlan;
import dev.lathe.runtime.QuantizedSession;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ONNX Runtime runs Lathe's QDQ export and agrees with Lathe's int8 runtime to one quantization step on every output. */
class OnnxQdqTest {
    @TempDir Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlp", "cnn", "classic-cnn", "mobilenet_v2-mini", "resnet-mini"})
    void onnxRuntimeMatchesTheInt8RuntimeWithinOneStep(String name) throws Exception {
        Module m = OnnxExportTest.model(name);
        Shape in = OnnxExportTest.inputShape(name);
        InferencePlan plan = InferencePlan.freeze(m, in);
        Tensor calib = Tensor.normal(new Random(1), 0, 1, 64, in.dim(1), in.dim(2), in.dim(3));
        QuantizedPlan q = QuantizedPlan.quantize(plan, calib, QuantizedPlan.Calibration.MINMAX);
        Path file = dir.resolve(name + "-int8.onnx");
        OnnxQdq.write(q, file);
        QuantizedSession s = q.session();
        float step = q.steps().get(q.steps().size() - 1).out().scale();
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        int samples = 8, sameClass = 0, maxSteps = 0;
        try (OrtSession ort = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            for (int k = 0; k < samples; k++) {
                float[] x = Tensor.normal(new Random(10 + k), 0, 1, 1, in.dim(1), in.dim(2), in.dim(3)).toFloatArray();
                float[] lathe = s.predict(x);
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {1, in.dim(1), in.dim(2), in.dim(3)});
                     OrtSession.Result r = ort.run(Map.of("input", t))) {
                    float[] o = ((float[][]) r.get(0).getValue())[0];
                    for (int i = 0; i < o.length; i++) {
                        int steps = Math.round(Math.abs(o[i] - lathe[i]) / step);
                        maxSteps = Math.max(maxSteps, steps);
                        assertThat(steps).as("%s sample %d output %d: ORT %s vs Lathe %s (step %s)", name, k, i, o[i], lathe[i], step).isLessThanOrEqualTo(1);
                    }
                    if (argmax(o) == argmax(lathe)) sameClass++;
                }
            }
        }
        // a one-step difference can flip a near tie, so predictions agree on (nearly) all samples
        assertThat(sameClass).as("%s: same class on %d of %d (max difference %d steps)", name, sameClass, samples, maxSteps).isGreaterThanOrEqualTo(samples - 1);
        // int8 weights make the file ~4x smaller where weights dominate (not for a mini net of many small layers, whose scales and names weigh)
        if (q.floatWeightBytes() > 500_000) assertThat(Files.size(file)).as("int8 file vs float weights").isLessThan(q.floatWeightBytes() / 3);
    }

    static int argmax(float[] y) {
        int b = 0;
        for (int i = 1; i < y.length; i++) if (y[i] > y[b]) b = i;
        return b;
    }
}
