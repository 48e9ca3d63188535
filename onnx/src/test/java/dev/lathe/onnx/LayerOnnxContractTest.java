package dev.lathe.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Variable;
import dev.lathe.nn.LayerCases;
import dev.lathe.nn.Module;
import dev.lathe.tensor.DType;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The layer contract's ONNX stage, for every registered layer ({@link LayerCases}): the exported file,
 * run by ONNX Runtime (the independent implementation), computes what the layer's forward does in
 * evaluation mode; where the batch-1 runtime takes the layer, the file imported back into the IR
 * computes it too, and the frozen plan exported from the IR ({@link PlanExport}) runs in ONNX Runtime.
 */
class LayerOnnxContractTest {
    @TempDir Path dir;

    static Stream<LayerCases.Case> layers() { return LayerCases.all(); }

    @ParameterizedTest @MethodSource("layers")
    void onnxRuntimeRunsTheExportedLayer(LayerCases.Case c) throws Exception {
        Module m = LayerCases.withState(c, 21);
        int[] shape = c.inputShape();
        int[] sample = shape.clone();
        sample[0] = Shape.ANY;
        Path file = dir.resolve(c.name() + ".onnx");
        OnnxExport.write(m, Shape.of(sample), file);
        Tensor x = Tensor.normal(new Random(23), 0, 1, shape).to(DType.FLOAT32);
        float[] want;
        try (GradMode.Scope s = GradMode.noGrad()) {
            want = m.forward(Variable.constant(x)).data().toFloatArray();
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), Arrays.stream(shape).asLongStream().toArray());
             OrtSession.Result r = s.run(Map.of("input", t))) {
            float[] got = ((OnnxTensor) r.get(0)).getFloatBuffer().array();
            assertThat(got).as(c.name()).hasSameSizeAs(want);
            for (int i = 0; i < got.length; i++) assertThat(got[i]).as("%s [%d]", c.name(), i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(want[i])));
        }
        if (LayerCases.NOT_IN_THE_RUNTIME.contains(c.name())) return;
        // and back: the file lowered to the IR runs in the batch-1 runtime, sample by sample
        dev.lathe.runtime.Session session = dev.lathe.runtime.InferencePlan.of(dev.lathe.ir.Pass.all(
                OnnxImport.toProgram(OnnxModel.load(file), file.toString()), dev.lathe.ir.Pass.INFERENCE)).session(1);
        float[] all = x.toFloatArray();
        int per = all.length / shape[0], outPer = want.length / shape[0];
        for (int n = 0; n < shape[0]; n++) {
            float[] y = session.predict(Arrays.copyOfRange(all, n * per, (n + 1) * per));
            for (int i = 0; i < outPer; i++) assertThat(y[i]).as("%s imported, sample %d [%d]", c.name(), n, i).isCloseTo(want[n * outPer + i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(want[n * outPer + i])));
        }
        // the frozen plan (folded, fused) exported from the IR: ONNX Runtime again, on the whole batch
        Path planFile = dir.resolve(c.name() + "-plan.onnx");
        PlanExport.write(dev.lathe.runtime.InferencePlan.freeze(m, Shape.of(sample)).program(), planFile);
        try (OrtSession s = env.createSession(planFile.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), Arrays.stream(shape).asLongStream().toArray());
             OrtSession.Result r = s.run(Map.of("input", t))) {
            float[] got = ((OnnxTensor) r.get(0)).getFloatBuffer().array();
            assertThat(got).as(c.name() + " plan").hasSameSizeAs(want);
            for (int i = 0; i < got.length; i++) assertThat(got[i]).as("%s plan [%d]", c.name(), i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(want[i])));
        }
    }
}
