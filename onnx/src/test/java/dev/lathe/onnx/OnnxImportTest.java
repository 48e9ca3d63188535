package dev.lathe.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.nn.Module;
import dev.lathe.predict.Predictor;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ONNX graphs compiled into the frozen batch-1 plan: same outputs as the model they came from, and as ONNX Runtime on the same file. */
class OnnxImportTest {
    @TempDir Path dir;

    static void assertClose(float[] got, float[] want, double tol, String what) {
        assertThat(got).hasSize(want.length);
        for (int i = 0; i < got.length; i++) {
            assertThat((double) got[i]).as("%s [%d]", what, i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(tol + tol * Math.abs(want[i])));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"mlp", "cnn", "classic-cnn", "resnet-mini", "mobilenet_v2-mini", "mobilenet_v1-mini", "squeezenet-mini", "inception-mini", "densenet-mini", "vgg-mini"})
    void importedPlanEqualsTheExportedModelAndOnnxRuntime(String name) throws Exception {
        Module m = OnnxExportTest.model(name);
        Shape in = OnnxExportTest.inputShape(name);
        Path file = dir.resolve(name + ".onnx");
        OnnxExport.write(m, in, file);
        Predictor p = OnnxImport.predictor(file, 1);
        Tensor x = Tensor.normal(new Random(7), 0, 1, 1, in.dim(1), in.dim(2), in.dim(3));
        float[] runtime = p.predict(x.toFloatArray());
        assertClose(runtime, OnnxExportTest.lathe(m, x), 1e-5, name + " runtime vs training graph");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), new long[] {1, in.dim(1), in.dim(2), in.dim(3)});
             OrtSession.Result r = s.run(Map.of("input", t))) {
            assertClose(runtime, ((float[][]) r.get(0).getValue())[0], 1e-4, name + " runtime vs ONNX Runtime");
        }
    }

    // ---- hand-made graphs: the exporter's idioms are not the only ones (PyTorch: Gemm transB, Clip inputs, Reshape) ----

    static ValueInfoProto value(String name, long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) s.addDim(d < 0 ? TensorShapeProto.Dimension.newBuilder().setDimParam("N") : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1).setShape(s))).build();
    }

    static TensorProto floats(String name, float[] v, long... dims) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(1);
        for (long d : dims) t.addDims(d);
        for (float f : v) t.addFloatData(f);
        return t.build();
    }

    static TensorProto longs(String name, long... v) {
        TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(7).addDims(v.length);
        for (long x : v) t.addInt64Data(x);
        return t.build();
    }

    static NodeProto node(String op, String name, String[] in, String out, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(out);
        for (String i : in) n.addInput(i);
        for (AttributeProto a : attrs) n.addAttribute(a);
        return n.build();
    }

    static AttributeProto attr(String name, long v) { return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build(); }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    static OnnxModel model(GraphProto.Builder g) {
        return OnnxModel.of(ModelProto.newBuilder().setIrVersion(8).addOpsetImport(OperatorSetIdProto.newBuilder().setVersion(13)).setGraph(g).build());
    }

    static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    /** Conv (weight through an Identity) -> Clip(0, 6) with min/max as inputs -> Reshape [1, -1] -> Gemm with B stored [in, out] (transB = 0) and alpha. */
    @Test void pytorchStyleIdiomsConvertAndMatchTheInterpreter() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("t").addInput(value("x", -1, 2, 5, 5)).addOutput(value("y", -1, 3));
        g.addInitializer(floats("w", random(4 * 2 * 9, 1), 4, 2, 3, 3)).addInitializer(floats("b", random(4, 2), 4));
        g.addInitializer(floats("lo", new float[] {0})).addInitializer(floats("hi", new float[] {6}));
        g.addInitializer(longs("shape", 1, -1)).addInitializer(floats("fw", random(100 * 3, 3), 100, 3)).addInitializer(floats("fb", random(3, 4), 3));
        // PyTorch shares an initializer through Identity nodes: folded as constants at load
        g.addNode(node("Identity", "shared_w", new String[] {"w"}, "w_id"));
        g.addNode(node("Conv", "conv", new String[] {"x", "w_id", "b"}, "c", ints("pads", 1, 1, 1, 1), ints("kernel_shape", 3, 3)));
        g.addNode(node("Clip", "clip", new String[] {"c", "lo", "hi"}, "r"));
        g.addNode(node("Reshape", "flat", new String[] {"r", "shape"}, "f"));
        g.addNode(node("Gemm", "fc", new String[] {"f", "fw", "fb"}, "y", AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT).setF(0.5f).build()));
        OnnxModel m = model(g);
        OnnxImport.Imported im = OnnxImport.toModule(m, "t.onnx");
        Predictor p = Predictor.of(dev.lathe.runtime.InferencePlan.freeze(im.model(), im.input()), 1);
        float[] x = random(50, 5);
        float[] want = m.run(Map.of("x", Value.of(Tensor.of(x, 1, 2, 5, 5)))).get("y").tensor().toFloatArray();
        assertClose(p.predict(x), want, 1e-5, "runtime vs interpreter");
        assertThat(p.plan().steps().get(0).note()).contains("ReLU6 fused");
    }

    @Test void nodesTheRuntimeCannotExpressAreNamed() {
        GraphProto.Builder g = GraphProto.newBuilder().setName("t").addInput(value("x", 1, 4)).addOutput(value("y", 1, 4));
        g.addNode(node("Erf", "my_erf", new String[] {"x"}, "y"));
        assertThatThrownBy(() -> OnnxImport.toModule(model(g), "e.onnx")).isInstanceOf(UnsupportedOperatorException.class)
                .hasMessageContaining("e.onnx").hasMessageContaining("my_erf").hasMessageContaining("Erf");

        GraphProto.Builder c = GraphProto.newBuilder().setName("t").addInput(value("x", 1, 4)).addOutput(value("y", 1, 4));
        c.addInitializer(floats("lo", new float[] {-1})).addInitializer(floats("hi", new float[] {1}));
        c.addNode(node("Clip", "clamp", new String[] {"x", "lo", "hi"}, "y"));
        assertThatThrownBy(() -> OnnxImport.toModule(model(c), "c.onnx")).hasMessageContaining("clamp").hasMessageContaining("Clip(-1.0, 1.0)");

        GraphProto.Builder r = GraphProto.newBuilder().setName("t").addInput(value("x", 1, 2, 5, 5)).addOutput(value("y", 1, 3, 3, 5));
        r.addInitializer(floats("w", random(3 * 2 * 3, 1), 3, 2, 3, 1));
        r.addNode(node("Conv", "tall", new String[] {"x", "w"}, "y"));
        // a 3x1 kernel runs in the batch-1 runtime (the IR keeps both axes); only nn layers, for fine-tuning, cannot hold it
        assertThatThrownBy(() -> OnnxImport.toModule(model(r), "r.onnx")).hasMessageContaining("tall").hasMessageContaining("kernel 3x1").hasMessageContaining("no trainable nn layer");
        Tensor tx = Tensor.normal(new java.util.Random(2), 0, 1, 1, 2, 5, 5);
        float[] runtime = dev.lathe.runtime.InferencePlan.of(OnnxImport.toProgram(model(r), "r.onnx")).session(1).predict(tx.toFloatArray());
        float[] interpreted = model(r).run(Map.of("x", Value.of(tx))).get("y").tensor().toFloatArray();
        assertClose(runtime, interpreted, 1e-5, "3x1 kernel: runtime vs interpreter");

        GraphProto.Builder s = GraphProto.newBuilder().setName("t").addInput(value("x", 1, 3, -1, 8)).addOutput(value("y", 1, 3, 4, 8));
        s.addNode(node("Relu", "relu", new String[] {"x"}, "y"));
        assertThatThrownBy(() -> OnnxImport.toModule(model(s), "s.onnx")).hasMessageContaining("dimension 2 is symbolic");

        // a shape mismatch inside the graph is caught when the plan is built, naming the layer
        GraphProto.Builder w = GraphProto.newBuilder().setName("t").addInput(value("x", 1, 5)).addOutput(value("y", 1, 2));
        w.addInitializer(floats("fw", random(2 * 6, 1), 2, 6));
        w.addNode(node("Gemm", "fc", new String[] {"x", "fw"}, "y", attr("transB", 1)));
        assertThatThrownBy(() -> OnnxImport.toModule(model(w), "w.onnx")).hasMessageContaining("w.onnx").hasMessageContaining("Linear(6→2, no bias)").hasMessageContaining("[1, 5]");
    }
}
