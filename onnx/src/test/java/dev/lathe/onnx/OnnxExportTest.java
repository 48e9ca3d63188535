package dev.lathe.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.autograd.GradMode;
import dev.lathe.autograd.Variable;
import dev.lathe.models.Cnn;
import dev.lathe.models.Mlp;
import dev.lathe.models.Zoo;
import dev.lathe.nn.Module;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Exported files judged by ONNX Runtime (the independent implementation) and read back by Lathe's importer. */
class OnnxExportTest {
    @TempDir Path dir;

    static Module model(String name) {
        Module m = switch (name) {
            case "mlp" -> Mlp.of(784, new int[] {256, 128}, 10, "relu", 0.2, 1);
            case "cnn" -> Cnn.fashion(1);
            case "classic-cnn" -> Cnn.classic(1);
            default -> Zoo.build(name, 10, inputShape(name), 1);
        };
        // batch norm statistics that are not the identity, so the inference form is really tested
        Random r = new Random(2);
        m.namedBuffers().forEach((k, t) -> t.assign(Tensor.uniform(r, k.endsWith("var") ? 0.5 : -0.5, k.endsWith("var") ? 1.5 : 0.5, t.shape())));
        return m.eval();
    }

    static Shape inputShape(String name) {
        return switch (name) {
            case "mlp", "cnn" -> Shape.batchOf(1, 28, 28);
            default -> Shape.batchOf(3, 32, 32);
        };
    }

    static float[] lathe(Module m, Tensor x) {
        try (GradMode.Scope s = GradMode.noGrad()) {
            return m.forward(Variable.constant(x)).data().toFloatArray();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlp", "cnn", "classic-cnn", "resnet-mini", "mobilenet_v2-mini", "mobilenet_v1-mini", "squeezenet-mini", "inception-mini", "densenet-mini", "vgg-mini"})
    void onnxRuntimeAgreesWithLathe(String name) throws Exception {
        Module m = model(name);
        Shape in = inputShape(name);
        Path file = dir.resolve(name + ".onnx");
        OnnxExport.write(m, in, file);
        int batch = 3;
        Tensor x = Tensor.normal(new Random(3), 0, 1, batch, in.dim(1), in.dim(2), in.dim(3));
        float[] expected = lathe(m, x);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), new long[] {batch, in.dim(1), in.dim(2), in.dim(3)});
             OrtSession.Result r = s.run(Map.of("input", t))) {
            float[][] out = (float[][]) r.get(0).getValue();
            for (int b = 0; b < batch; b++) {
                for (int k = 0; k < 10; k++) assertThat(out[b][k]).as("ORT %s [%d,%d]", name, b, k).isCloseTo(expected[b * 10 + k], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(expected[b * 10 + k])));
            }
        }
        // and Lathe's own importer runs the same file
        OnnxModel back = OnnxModel.load(file);
        float[] again = back.run(Map.of("input", Value.of(x))).get("output").tensor().toFloatArray();
        for (int i = 0; i < again.length; i++) assertThat(again[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(expected[i])));
    }

    /**
     * The two upsampling ops a segmentation decoder needs, each alone and together, judged by ONNX
     * Runtime: exported from nn layers, and run by Lathe's batch-1 runtime from the same frozen program.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"nearest", "bilinear", "bilinear-2x3", "transpose-k2s2", "transpose-k3s2p1-outpad", "transpose-grouped", "decoder"})
    void onnxRuntimeAgreesOnResizeAndTransposedConvolution(String name) throws Exception {
        Module m = switch (name) {
            case "nearest" -> dev.lathe.nn.Upsample.nearest(2);
            case "bilinear" -> dev.lathe.nn.Upsample.bilinear(2);
            case "bilinear-2x3" -> new dev.lathe.nn.Upsample(dev.lathe.kernels.Resize.Mode.BILINEAR, 2, 3);
            case "transpose-k2s2" -> dev.lathe.nn.ConvTranspose2d.builder(3, 4, 2).stride(2).build();
            case "transpose-k3s2p1-outpad" -> dev.lathe.nn.ConvTranspose2d.builder(3, 5, 3).stride(2).padding(1).outputPadding(1).build();
            case "transpose-grouped" -> dev.lathe.nn.ConvTranspose2d.builder(4, 6, 3).stride(1).padding(1).groups(2).bias(false).build();
            default -> new dev.lathe.nn.Sequential(dev.lathe.nn.Conv2d.builder(3, 6, 3).stride(2).padding(1).build(), dev.lathe.nn.Activation.relu(),
                    dev.lathe.nn.ConvTranspose2d.builder(6, 4, 2).stride(2).build(), dev.lathe.nn.Upsample.bilinear(2), new dev.lathe.nn.Conv2d(4, 2, 1));
        };
        m.resetParameters(new Random(5));
        m.eval();
        Shape in = name.startsWith("transpose-grouped") ? Shape.batchOf(4, 5, 6) : name.startsWith("transpose") || name.equals("decoder") ? Shape.batchOf(3, 6, 7) : Shape.batchOf(3, 5, 6);
        Path file = dir.resolve(name + ".onnx");
        OnnxExport.write(m, in, file);
        int batch = 2;
        Tensor x = Tensor.normal(new Random(6), 0, 1, batch, in.dim(1), in.dim(2), in.dim(3));
        float[] expected = lathe(m, x);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), new long[] {batch, in.dim(1), in.dim(2), in.dim(3)});
             OrtSession.Result r = s.run(Map.of("input", t))) {
            float[] ort = ((OnnxTensor) r.get(0)).getFloatBuffer().array();
            assertThat(ort).hasSameSizeAs(expected);
            for (int i = 0; i < ort.length; i++) assertThat(ort[i]).as("ORT %s [%d]", name, i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(expected[i])));
        }
        // the batch-1 runtime on the frozen program, sample by sample
        dev.lathe.runtime.Session session = dev.lathe.runtime.InferencePlan.freeze(m, in).session();
        int per = (int) in.sampleSize(), outs = session.outputSize();
        float[] xs = x.toFloatArray();
        for (int b = 0; b < batch; b++) {
            float[] y = session.predict(java.util.Arrays.copyOfRange(xs, b * per, (b + 1) * per));
            for (int i = 0; i < outs; i++) assertThat(y[i]).as("runtime %s [%d,%d]", name, b, i).isCloseTo(expected[b * outs + i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(expected[b * outs + i])));
        }
    }

    /** Full-size reference models at a small input, and recurrent stacks: ONNX Runtime against Lathe. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"resnet18", "mobilenet_v2", "lstm", "gru", "rnn", "embedding-lstm"})
    void onnxRuntimeAgreesOnReferenceAndRecurrentModels(String name) throws Exception {
        Module m;
        int[] dims;
        if (name.endsWith("net18") || name.startsWith("mobilenet")) {
            dims = new int[] {2, 3, 64, 64};
            m = Zoo.build(name, 10, Shape.batchOf(3, 64, 64), 1).eval();
        } else if (name.startsWith("embedding")) {
            m = new dev.lathe.nn.Sequential(new dev.lathe.nn.Embedding(6, 5), new dev.lathe.nn.Recurrent(dev.lathe.nn.Recurrent.Kind.LSTM, 5, 8, 1, 0),
                    new dev.lathe.nn.Linear(8, 10));
            m.resetParameters(new Random(4));
            m.eval();
            dims = new int[] {3, 7};
        } else {
            var kind = dev.lathe.nn.Recurrent.Kind.valueOf(name.toUpperCase());
            m = new dev.lathe.nn.Sequential(new dev.lathe.nn.Recurrent(kind, 5, 8, 2, 0), new dev.lathe.nn.Linear(8, 10));
            m.resetParameters(new Random(4));
            m.eval();
            dims = new int[] {3, 7, 5};
        }
        Shape in = Shape.of(java.util.Arrays.copyOf(dims, dims.length)).with(0, Shape.ANY);
        Path file = dir.resolve(name + ".onnx");
        OnnxExport.write(m, in, file);
        Tensor x = name.startsWith("embedding") ? tokens(dims) : Tensor.normal(new Random(3), 0, 1, dims);
        float[] expected = lathe(m, x);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        long[] shape = java.util.Arrays.stream(dims).asLongStream().toArray();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), shape);
             OrtSession.Result r = s.run(Map.of("input", t))) {
            float[] got = flatten(r.get(0).getValue());
            assertThat(got).hasSize(expected.length);
            for (int i = 0; i < got.length; i++) {
                assertThat(got[i]).as("ORT %s [%d]", name, i).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(expected[i])));
            }
        }
        float[] again = OnnxModel.load(file).run(Map.of("input", Value.of(x))).get("output").tensor().toFloatArray();
        for (int i = 0; i < again.length; i++) assertThat(again[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(expected[i])));
    }

    static Tensor tokens(int[] dims) {
        Random r = new Random(6);
        float[] t = new float[dims[0] * dims[1]];
        for (int i = 0; i < t.length; i++) t[i] = r.nextInt(6);
        return Tensor.of(t, dims);
    }

    static float[] flatten(Object o) {
        if (o instanceof float[] f) return f;
        Object[] parts = (Object[]) o;
        java.util.List<float[]> fs = new java.util.ArrayList<>();
        int n = 0;
        for (Object p : parts) {
            float[] f = flatten(p);
            fs.add(f);
            n += f.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] f : fs) {
            System.arraycopy(f, 0, out, at, f.length);
            at += f.length;
        }
        return out;
    }

    @Test void brokenModelsAreNamedNeverHang() throws Exception {
        Path file = dir.resolve("cnn.onnx");
        OnnxExport.write(model("cnn"), Shape.batchOf(1, 28, 28), file);
        var p = OnnxModel.load(file).proto();
        var newer = p.toBuilder().setOpsetImport(0, p.getOpsetImport(0).toBuilder().setVersion(99)).build();
        assertThatThrownBy(() -> OnnxModel.of(newer)).hasMessageContaining("opset 99 is newer than Lathe knows");
        var unknown = p.toBuilder().setGraph(p.getGraph().toBuilder().setNode(1, p.getGraph().getNode(1).toBuilder().setOpType("Frobnicate"))).build();
        assertThatThrownBy(() -> OnnxModel.of(unknown).run(Map.of("input", Value.of(Tensor.zeros(1, 1, 28, 28)))))
                .isInstanceOf(UnsupportedOperatorException.class).hasMessageContaining("operator Frobnicate").hasMessageContaining("node '1'");
        // node 0 reads node 2's output: a cycle through 0 -> 1 -> 2 -> 0
        var g = p.getGraph().toBuilder();
        g.setNode(0, g.getNode(0).toBuilder().setInput(0, g.getNode(2).getOutput(0)));
        var cyclic = p.toBuilder().setGraph(g).build();
        assertThatThrownBy(() -> OnnxModel.of(cyclic)).hasMessageContaining("cycle");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(dir.resolve("cut.onnx"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> OnnxModel.load(dir.resolve("cut.onnx"))).hasMessageContaining("not an ONNX model");
    }

    @Test void fileDeclaresOpsetDynamicBatchAndNamedWeights() throws Exception {
        Path file = dir.resolve("cnn.onnx");
        OnnxExport.write(model("cnn"), Shape.batchOf(1, 28, 28), file);
        var p = OnnxModel.load(file).proto();
        assertThat(p.getOpsetImport(0).getVersion()).isEqualTo(17);
        assertThat(p.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimParam()).isEqualTo("N");
        assertThat(p.getGraph().getInitializerList()).extracting(t -> t.getName()).contains("0.weight", "0.bias", "7.weight");
        assertThat(p.getGraph().getNodeList()).extracting(n -> n.getOpType()).containsExactly("Conv", "Relu", "MaxPool", "Conv", "Relu", "MaxPool", "Flatten", "Gemm", "Relu", "Gemm");
        assertThat(p.getDocString()).contains("Exported by Lathe");
    }

    @Test void badInputsAreNamed() throws Exception {
        Path file = dir.resolve("mlp.onnx");
        OnnxExport.write(model("mlp"), Shape.batchOf(1, 28, 28), file);
        OnnxModel m = OnnxModel.load(file);
        assertThatThrownBy(() -> m.run(Map.of())).hasMessageContaining("missing input 'input'");
        assertThatThrownBy(() -> m.run(Map.of("input", Value.of(Tensor.zeros(2, 1, 27, 28))))).hasMessageContaining("dimension 2 must be 28");
        Files.write(dir.resolve("junk.onnx"), new byte[] {1, 2, 3, 4, 5});
        assertThatThrownBy(() -> OnnxModel.load(dir.resolve("junk.onnx"))).hasMessageContaining("junk.onnx: not an ONNX model");
        assertThatThrownBy(() -> OnnxExport.write(new Module() {
            @Override public Variable forward(Variable x) { return x; }
            @Override public Shape outputShape(Shape s) { return s; }
            @Override public String toString() { return "Mystery"; }
        }, Shape.batchOf(3), dir.resolve("x.onnx"))).hasMessageContaining("Mystery has no ONNX form");
        assertThat(dir.resolve("x.onnx")).doesNotExist();
    }
}
