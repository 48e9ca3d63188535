package dev.lathe.onnx;

import com.google.protobuf.ByteString;
import dev.lathe.io.AtomicFiles;
import dev.lathe.kernels.ConvGeometry;
import dev.lathe.kernels.Epilogue;
import dev.lathe.nn.Graph;
import dev.lathe.runtime.QStep;
import dev.lathe.runtime.QuantizedPlan;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorProto;

/**
 * A {@link QuantizedPlan} as ONNX in QDQ form, ONNX Runtime's recommended int8 format: every
 * activation passes QuantizeLinear -> DequantizeLinear with the plan's scale and int8 zero point,
 * weights are int8 initializers behind a per-channel DequantizeLinear (axis 0, zero point 0), biases
 * int32 at scale s_in * s_w. The float ops between them (Conv, Gemm, Relu/Clip, MaxPool, GlobalAveragePool, Add, Flatten) are
 * the plan's; the output is the dequantized last value. The file holds int8 weights (about 4x smaller).
 */
public final class OnnxQdq {
    private OnnxQdq() {}

    public static void write(QuantizedPlan q, Path file) throws IOException {
        ModelProto m = toProto(q, file.getFileName().toString());
        AtomicFiles.write(file, m::writeTo);
    }

    public static ModelProto toProto(QuantizedPlan q, String name) {
        Emitter e = new Emitter();
        e.g.setName(name).addInput(OnnxExport.valueInfo("input", q.floatPlan().input()));
        Map<String, String> value = new HashMap<>(Map.of(Graph.INPUT, e.qdq("input", "input", q.inputParams())));
        String last = null;
        for (QStep s : q.steps()) {
            String x = value.get(s.input()), n = "s" + s.name().replace('.', '_');
            String y = switch (s) {
                case QStep.View v -> e.node("Flatten", n, new String[] {x}, OnnxExport.integer("axis", 1));
                case QStep.MaxPool p -> e.qdq(n, e.node("MaxPool", n, new String[] {x}, window(p.geometry(), true)), s.out());
                case QStep.Add a -> e.qdq(n, e.node("Add", n, new String[] {x, value.get(a.input2())}), s.out());
                case QStep.GlobalAverage g -> e.qdq(n, e.node("GlobalAveragePool", n, new String[] {x}), s.out());
                case QStep.Clamp c -> e.qdq(n, c.hi() < 127 ? e.node("Clip", n, new String[] {x, e.floats(n + "_lo", 0f), e.floats(n + "_hi", 6f)})
                        : e.node("Relu", n, new String[] {x}), s.out());
                case QStep.Conv c -> weighted(e, n, x, c, c.weights(), new long[] {c.weights().outputs(), c.geometry().cg(), c.geometry().kh(), c.geometry().kw()}, c.pool());
                case QStep.Linear l -> weighted(e, n, x, l, l.weights(), new long[] {l.weights().outputs(), l.inFeatures()}, null);
            };
            value.put(s.name(), y);
            last = y;
        }
        e.g.addNode(NodeProto.newBuilder().setOpType("Identity").setName("output").addInput(last).addOutput("output"));
        e.g.addOutput(OnnxExport.valueInfo("output", q.floatPlan().steps().get(q.floatPlan().steps().size() - 1).output()));
        return OnnxExport.model(e.g, "Exported by Lathe: int8 QDQ (per-channel symmetric weights, per-tensor asymmetric activations)");
    }

    /** A conv or dense step as DequantizeLinear weights and bias, the float op, its activation, QDQ on the output (and a max pool after). */
    private static String weighted(Emitter e, String n, String x, QStep s, QStep.Weights wt, long[] shape, ConvGeometry pool) {
        int outs = wt.outputs();
        boolean conv = s instanceof QStep.Conv;
        String w = e.node("DequantizeLinear", n + "_w", new String[] {e.int8(n + "_wq", wt.q(), shape), e.floats(n + "_ws", wt.scale()),
                e.int8(n + "_wz", new byte[outs], outs)}, OnnxExport.integer("axis", 0));
        float[] bs = new float[outs];
        for (int o = 0; o < outs; o++) bs[o] = s.in().scale() * wt.scale()[o];
        String b = e.node("DequantizeLinear", n + "_b", new String[] {e.int32(n + "_bq", wt.bias()), e.floats(n + "_bs", bs), e.int32(n + "_bz", new int[outs])},
                OnnxExport.integer("axis", 0));
        String z = conv ? e.node("Conv", n, new String[] {x, w, b}, window(((QStep.Conv) s).geometry(), false)) : e.node("Gemm", n, new String[] {x, w, b}, OnnxExport.integer("transB", 1));
        if (wt.activation() == Epilogue.RELU) z = e.node("Relu", n + "_relu", new String[] {z});
        else if (wt.activation() == Epilogue.RELU6) z = e.node("Clip", n + "_relu6", new String[] {z, e.floats(n + "_lo", 0f), e.floats(n + "_hi", 6f)});
        String zq = e.qdq(n + "_out", z, s.out());
        // a max pool the int8 runtime ran on the accumulators: the same values after quantization (both monotone)
        return pool == null ? zq : e.qdq(n + "_pool", e.node("MaxPool", n + "_maxpool", new String[] {zq}, window(pool, true)), s.out());
    }

    private static AttributeProto[] window(ConvGeometry c, boolean pool) {
        AttributeProto k = OnnxExport.ints("kernel_shape", c.kh(), c.kw()), s = OnnxExport.ints("strides", c.sh(), c.sw()), p = OnnxExport.ints("pads", c.ph(), c.pw(), c.ph(), c.pw());
        return pool ? new AttributeProto[] {k, s, p, OnnxExport.integer("ceil_mode", c.ceil() ? 1 : 0)}
                : new AttributeProto[] {k, s, p, OnnxExport.ints("dilations", c.dh(), c.dw()), OnnxExport.integer("group", c.groups())};
    }

    /** Nodes and initializers as they are emitted. */
    private static final class Emitter {
        final GraphProto.Builder g = GraphProto.newBuilder();

        String node(String op, String name, String[] inputs, AttributeProto... attrs) {
            NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(name);
            for (String i : inputs) n.addInput(i);
            for (AttributeProto a : attrs) n.addAttribute(a);
            g.addNode(n);
            return name;
        }

        String qdq(String base, String x, QuantizedPlan.QParams p) {
            String s = floats(base + "_scale", p.scale()), z = int8(base + "_zp", new byte[] {(byte) p.zeroPoint()});
            String q = node("QuantizeLinear", base + "_q", new String[] {x, s, z});
            return node("DequantizeLinear", base + "_dq", new String[] {q, s, z});
        }

        /** A float tensor: one value is a scalar, more a 1-D tensor. */
        String floats(String name, float... v) {
            TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE);
            if (v.length > 1) t.addDims(v.length);
            for (float f : v) t.addFloatData(f);
            g.addInitializer(t);
            return name;
        }

        /** An int8 tensor of the given shape (no dims: a scalar, one dim of the length when only a length is given). */
        String int8(String name, byte[] v, long... shape) {
            TensorProto.Builder t = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT8_VALUE).setRawData(ByteString.copyFrom(v));
            for (long d : shape) t.addDims(d);
            g.addInitializer(t);
            return name;
        }

        String int32(String name, int[] v) {
            ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            for (int x : v) bb.putInt(x);
            g.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT32_VALUE).addDims(v.length).setRawData(ByteString.copyFrom(bb.array())));
            return name;
        }
    }
}
