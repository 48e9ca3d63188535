package dev.lathe.onnx;

import dev.lathe.io.AtomicFiles;
import dev.lathe.ir.Node;
import dev.lathe.ir.Op;
import dev.lathe.ir.Program;
import dev.lathe.kernels.Epilogue;
import dev.lathe.tensor.ConvSpec;
import dev.lathe.tensor.PoolSpec;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;

/**
 * An IR program (a frozen plan after its passes, or a file imported and rewritten) as an ONNX model,
 * one case per {@link Op} with no default: a new op without an ONNX form does not compile. The
 * input is "input" with a symbolic batch "N"; every program output is a graph output under its node
 * name. A fused activation becomes its node after the conv or dense one; dropout, removed by the
 * passes, would be an Identity. Unlike {@link OnnxExport} (nn layers, training form) it takes what
 * nn layers cannot hold: non-square kernels, per-axis pads, Pad and Transpose nodes, several outputs.
 */
public final class PlanExport {
    private PlanExport() {}

    public static void write(Program p, Path file) throws IOException {
        ModelProto m = toProto(p, file.getFileName().toString());
        AtomicFiles.write(file, m::writeTo);
    }

    public static ModelProto toProto(Program p, String name) {
        GraphProto.Builder g = GraphProto.newBuilder().setName(name);
        Map<String, String> value = new HashMap<>(Map.of(p.input(), "input"));
        g.addInput(OnnxExport.valueInfo("input", p.inputs().get(p.input())));
        for (Node n : p.nodes()) value.put(n.name(), emit(g, n, n.inputs().stream().map(value::get).toArray(String[]::new)));
        for (String o : p.outputs()) {
            // a graph output named after its node: an Identity gives it that name whatever the last node was called
            g.addNode(NodeProto.newBuilder().setOpType("Identity").setName(o + "_output").addInput(value.get(o)).addOutput(o));
            g.addOutput(OnnxExport.valueInfo(o, p.producer(o).output()));
        }
        return OnnxExport.model(g, "Exported by Lathe from its inference IR");
    }

    /** The node's ONNX nodes; returns the value holding its output. */
    private static String emit(GraphProto.Builder g, Node n, String[] in) {
        String id = n.name().replaceAll("[^A-Za-z0-9_]", "_");
        return switch (n.op()) {
            case Op.Conv2d c -> {
                ConvSpec s = c.spec();
                String[] ins = c.bias() == null ? new String[] {in[0], init(g, id + "_w", c.weight())} : new String[] {in[0], init(g, id + "_w", c.weight()), init(g, id + "_b", c.bias())};
                String y = node(g, "Conv", id, ins, OnnxExport.conv(c.weight().size(2), c.weight().size(3), s));
                yield epilogue(g, id, y, c.epilogue());
            }
            case Op.Dense d -> {
                String y;
                if (n.output().rank() == 2) {
                    String[] ins = d.bias() == null ? new String[] {in[0], init(g, id + "_w", d.weight())} : new String[] {in[0], init(g, id + "_w", d.weight()), init(g, id + "_b", d.bias())};
                    y = node(g, "Gemm", id, ins, OnnxExport.integer("transB", 1));
                } else {  // Gemm is 2-D only: a batched input multiplies by the transposed weight
                    y = node(g, "MatMul", id, new String[] {in[0], init(g, id + "_wt", d.weight().transpose(0, 1).contiguous())});
                    if (d.bias() != null) y = node(g, "Add", id + "_bias", new String[] {y, init(g, id + "_b", d.bias())});
                }
                yield epilogue(g, id, y, d.epilogue());
            }
            case Op.ConvTranspose2d t -> {
                ConvSpec s = t.spec();
                String[] ins = t.bias() == null ? new String[] {in[0], init(g, id + "_w", t.weight())} : new String[] {in[0], init(g, id + "_w", t.weight()), init(g, id + "_b", t.bias())};
                yield node(g, "ConvTranspose", id, ins, append(OnnxExport.conv(t.weight().size(2), t.weight().size(3), s), OnnxExport.ints("output_padding", t.outPadH(), t.outPadW())));
            }
            case Op.Pool p -> switch (p.kind()) {
                case GLOBAL_AVERAGE -> node(g, "GlobalAveragePool", id, in);
                case MAX -> node(g, "MaxPool", id, in, append(window(p.spec()), OnnxExport.integer("ceil_mode", p.spec().ceil() ? 1 : 0)));
                case AVERAGE -> node(g, "AveragePool", id, in, append(window(p.spec()), OnnxExport.integer("count_include_pad", p.countPad() ? 1 : 0)));
            };
            case Op.BatchNorm bn -> node(g, "BatchNormalization", id, new String[] {in[0], init(g, id + "_scale", bn.gamma()), init(g, id + "_shift", bn.beta()),
                    init(g, id + "_mean", bn.mean()), init(g, id + "_var", bn.var())}, OnnxExport.real("epsilon", bn.eps()));
            case Op.Activation a -> switch (a.kind()) {
                case RELU -> node(g, "Relu", id, in);
                case RELU6 -> node(g, "Clip", id, new String[] {in[0], init(g, id + "_min", Tensor.scalar(0)), init(g, id + "_max", Tensor.scalar(6))});
                case LEAKY_RELU -> node(g, "LeakyRelu", id, in, OnnxExport.real("alpha", a.slope()));
                case SIGMOID -> node(g, "Sigmoid", id, in);
                case TANH -> node(g, "Tanh", id, in);
                case SOFTMAX -> node(g, "Softmax", id, in, OnnxExport.integer("axis", -1));
                case LOG_SOFTMAX -> node(g, "LogSoftmax", id, in, OnnxExport.integer("axis", -1));
            };
            case Op.Add add -> {
                String y = node(g, "Add", id, new String[] {in[0], in[1]});
                for (int k = 2; k < in.length; k++) y = node(g, "Add", id + "_" + k, new String[] {y, in[k]});
                yield y;
            }
            case Op.Concat cat -> node(g, "Concat", id, in, OnnxExport.integer("axis", 1));
            case Op.Reshape r -> {
                // the batch axis kept as it comes (0), the sample's axes as the program has them (a flatten's -1 inferred)
                long[] shape = new long[r.sample().length + 1];
                for (int i = 0; i < r.sample().length; i++) shape[i + 1] = r.sample()[i];
                g.addInitializer(TensorProtos.int64(id + "_shape", shape));
                yield node(g, "Reshape", id, new String[] {in[0], id + "_shape"});
            }
            case Op.Resize r -> node(g, "Resize", id, new String[] {in[0], "", init(g, id + "_scales", OnnxExport.resizeScales(r.scaleH(), r.scaleW()))}, OnnxExport.resize(r.mode()));
            case Op.Pad pad -> {
                g.addInitializer(TensorProtos.int64(id + "_pads", 0, 0, pad.top(), pad.left(), 0, 0, pad.bottom(), pad.right()));
                yield node(g, "Pad", id, new String[] {in[0], id + "_pads"});
            }
            case Op.Transpose t -> node(g, "Transpose", id, in, OnnxExport.ints("perm", java.util.Arrays.stream(t.perm()).asLongStream().toArray()));
            case Op.Dropout d -> node(g, "Identity", id, in);
        };
    }

    /** A fused activation as its own node after the op. */
    private static String epilogue(GraphProto.Builder g, String id, String y, int e) {
        if (e == Epilogue.RELU) return node(g, "Relu", id + "_relu", new String[] {y});
        if (e == Epilogue.RELU6) return node(g, "Clip", id + "_relu6", new String[] {y, init(g, id + "_min", Tensor.scalar(0)), init(g, id + "_max", Tensor.scalar(6))});
        return y;
    }

    private static AttributeProto[] append(AttributeProto[] a, AttributeProto b) {
        AttributeProto[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }

    private static AttributeProto[] window(PoolSpec s) {
        return new AttributeProto[] {OnnxExport.ints("kernel_shape", s.kernelH(), s.kernelW()), OnnxExport.ints("strides", s.strideH(), s.strideW()),
            OnnxExport.ints("pads", s.padH(), s.padW(), s.padH(), s.padW())};
    }

    private static String init(GraphProto.Builder g, String name, Tensor t) {
        g.addInitializer(TensorProtos.write(name, t.contiguous()));
        return name;
    }

    private static String node(GraphProto.Builder g, String op, String name, String[] inputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(name + ":out");
        for (String i : inputs) n.addInput(i);
        for (AttributeProto a : attrs) n.addAttribute(a);
        g.addNode(n);
        return name + ":out";
    }
}
