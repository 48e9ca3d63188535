package dev.lathe.onnx;

import dev.lathe.io.AtomicFiles;
import dev.lathe.nn.Activation;
import dev.lathe.nn.BatchNorm2d;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Dropout;
import dev.lathe.nn.Embedding;
import dev.lathe.nn.Flatten;
import dev.lathe.nn.Graph;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Merge;
import dev.lathe.nn.Module;
import dev.lathe.nn.Pool2d;
import dev.lathe.nn.Recurrent;
import dev.lathe.autograd.Variable;
import dev.lathe.nn.Sequential;
import dev.lathe.tensor.ConvSpec;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.OperatorSetIdProto;
import onnx.Onnx.TensorProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.TypeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * Writes a Lathe model as an ONNX model (IR 8, opset 17) that ONNX Runtime and other tools run
 * unchanged: one input "input" and one output "output" with a symbolic batch dimension "N",
 * weights as initializers named like the state dict, BatchNorm in inference form (running
 * statistics), Dropout left out (inference is the identity). A layer ONNX cannot express here is
 * an error naming it; nothing is written then.
 */
public final class OnnxExport {
    public static final int OPSET = 17, IR_VERSION = 8;

    private OnnxExport() {}

    public static void write(Module model, Shape input, Path file) throws IOException { write(model, input, null, file); }

    /** As above with the training data's preprocessing as nodes around the model (null: none), {@link OnnxPreprocessing}. */
    public static void write(Module model, Shape input, dev.lathe.data.Preprocessing preprocessing, Path file) throws IOException {
        ModelProto m = toProto(model, input, file.getFileName().toString());
        if (preprocessing != null) m = OnnxPreprocessing.wrap(m, preprocessing);
        AtomicFiles.write(file, m::writeTo);
    }

    public static ModelProto toProto(Module model, Shape input, String name) {
        model.outputShape(input);  // a model that does not fit its input fails here, naming the layer
        Builder b = new Builder();
        String out = b.emit("", model, "input", input);
        GraphProto.Builder g = b.graph.setName(name)
                .addInput(valueInfo("input", input))
                .addOutput(valueInfo(out.equals("input") ? b.identity(out) : out, model.outputShape(input)));
        if (!g.getOutput(0).getName().equals("output")) b.rename(g, g.getOutput(0).getName(), "output");
        return model(g, "Exported by Lathe from " + model + " for input " + input);
    }

    /** The model around a graph: Lathe as producer, IR version and opset as every Lathe export writes them. */
    static ModelProto model(GraphProto.Builder g, String doc) {
        return ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("lathe").setProducerVersion("0.1.0").setDocString(doc)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET)).setGraph(g).build();
    }

    static ValueInfoProto valueInfo(String name, Shape s) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int i = 0; i < s.rank(); i++) {
            if (s.dim(i) == Shape.ANY || i == 0) shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
            else shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(s.dim(i)));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
                .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    /** Renames a value wherever a node reads or writes it (the graph's inputs and outputs are left to the caller). */
    static void renameInNodes(GraphProto.Builder g, String from, String to) {
        for (int i = 0; i < g.getNodeCount(); i++) {
            NodeProto.Builder n = g.getNodeBuilder(i);
            for (int k = 0; k < n.getOutputCount(); k++) if (n.getOutput(k).equals(from)) n.setOutput(k, to);
            for (int k = 0; k < n.getInputCount(); k++) if (n.getInput(k).equals(from)) n.setInput(k, to);
        }
    }

    static AttributeProto ints(String name, long... v) {
        AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) a.addInts(x);
        return a.build();
    }

    /** A convolution's (or transposed convolution's) window attributes: kernel, strides, pads at both ends, dilations, groups. */
    static AttributeProto[] conv(int kh, int kw, ConvSpec s) {
        return new AttributeProto[] {ints("kernel_shape", kh, kw), ints("strides", s.strideH(), s.strideW()), ints("pads", s.padH(), s.padW(), s.padH(), s.padW()),
            ints("dilations", s.dilationH(), s.dilationW()), integer("group", s.groups())};
    }

    /** Resize's attributes in PyTorch's conventions: nearest reads floor(i / scale) (asymmetric, floor), bilinear samples at half pixels. */
    static AttributeProto[] resize(dev.lathe.kernels.Resize.Mode mode) {
        return mode == dev.lathe.kernels.Resize.Mode.NEAREST
                ? new AttributeProto[] {str("mode", "nearest"), str("coordinate_transformation_mode", "asymmetric"), str("nearest_mode", "floor")}
                : new AttributeProto[] {str("mode", "linear"), str("coordinate_transformation_mode", "half_pixel")};
    }

    /** Resize's scales input for whole factors on height and width. */
    static Tensor resizeScales(int sh, int sw) { return Tensor.of(new float[] {1, 1, sh, sw}, 4); }

    static AttributeProto str(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING).setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }

    static AttributeProto integer(String name, long v) { return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build(); }

    static AttributeProto real(String name, double v) { return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF((float) v).build(); }

    /** Accumulates nodes and initializers while walking the model. */
    private static final class Builder {
        final GraphProto.Builder graph = GraphProto.newBuilder();
        int counter;

        String fresh(String base) { return base + "_" + counter++; }

        String identity(String in) {
            String out = fresh("identity");
            graph.addNode(NodeProto.newBuilder().setOpType("Identity").setName(out).addInput(in).addOutput(out));
            return out;
        }

        void rename(GraphProto.Builder g, String from, String to) {
            renameInNodes(g, from, to);
            ValueInfoProto o = g.getOutput(0);
            g.setOutput(0, o.toBuilder().setName(to));
        }

        String init(String name, Tensor t) {
            graph.addInitializer(TensorProtos.write(name, t.contiguous()));
            return name;
        }

        NodeProto.Builder node(String op, String name, String... inputs) {
            NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name);
            for (String in : inputs) n.addInput(in);
            return n;
        }

        String add(NodeProto.Builder n) {
            String out = n.getName() + ":out";
            graph.addNode(n.addOutput(out));
            return out;
        }

        /** Emits the ONNX nodes for one module reading value {@code in}; returns the name of its output value. */
        String emit(String prefix, Module m, String in, Shape inShape) {
            String name = prefix.isEmpty() ? m.getClass().getSimpleName().toLowerCase() : prefix;
            if (m instanceof Sequential s) {
                String at = in;
                Shape shape = inShape;
                List<Module> layers = s.layers();
                for (int i = 0; i < layers.size(); i++) {
                    at = emit(join(prefix, Integer.toString(i)), layers.get(i), at, shape);
                    shape = layers.get(i).outputShape(shape);
                }
                return at;
            }
            if (m instanceof Graph g) {
                Map<String, String> values = new HashMap<>();
                values.put(g.input(), in);
                Map<String, Shape> shapes = g.shapes(inShape);
                for (Graph.Node n : g.nodes()) {
                    String p = join(prefix, n.name());
                    if (n.module() instanceof Merge merge) {
                        NodeProto.Builder nb = node(merge.kind() == Merge.Kind.ADD ? "Add" : "Concat", p);
                        for (String i : n.inputs()) nb.addInput(values.get(i));
                        if (merge.kind() == Merge.Kind.CONCAT) nb.addAttribute(integer("axis", 1));
                        values.put(n.name(), add(nb));
                    } else {
                        values.put(n.name(), emit(p, n.module(), values.get(n.inputs().get(0)), shapes.get(n.inputs().get(0))));
                    }
                }
                return values.get(g.output());
            }
            if (m instanceof Linear l) {
                if (inShape.rank() == 2) {
                    NodeProto.Builder n = node("Gemm", name, in, init(join(prefix, "weight"), l.weight().data())).addAttribute(integer("transB", 1));
                    if (l.bias() != null) n.addInput(init(join(prefix, "bias"), l.bias().data()));
                    return add(n);
                }
                // Gemm is 2-D only: a batched input multiplies by the transposed weight
                String wt = init(join(prefix, "weight_t"), l.weight().data().transpose(0, 1).contiguous());
                String mm = add(node("MatMul", name, in, wt));
                return l.bias() == null ? mm : add(node("Add", name + "_bias", mm, init(join(prefix, "bias"), l.bias().data())));
            }
            if (m instanceof Conv2d c) {
                ConvSpec s = c.spec();
                NodeProto.Builder n = node("Conv", name, in, init(join(prefix, "weight"), c.weight().data())).addAllAttribute(List.of(conv(c.kernelSize(), c.kernelSize(), s)));
                if (c.bias() != null) n.addInput(init(join(prefix, "bias"), c.bias().data()));
                return add(n);
            }
            if (m instanceof Pool2d p) {
                return switch (p.kind()) {
                    case GLOBAL_AVERAGE -> add(node("GlobalAveragePool", name, in));
                    case MAX -> add(node("MaxPool", name, in).addAttribute(ints("kernel_shape", p.kernel(), p.kernel()))
                            .addAttribute(ints("strides", p.stride(), p.stride())).addAttribute(ints("pads", p.padding(), p.padding(), p.padding(), p.padding()))
                            .addAttribute(integer("ceil_mode", p.ceilMode() ? 1 : 0)));
                    case AVERAGE -> add(node("AveragePool", name, in).addAttribute(ints("kernel_shape", p.kernel(), p.kernel()))
                            .addAttribute(ints("strides", p.stride(), p.stride())).addAttribute(ints("pads", p.padding(), p.padding(), p.padding(), p.padding()))
                            .addAttribute(integer("count_include_pad", p.countsPadding() ? 1 : 0)));
                };
            }
            if (m instanceof BatchNorm2d bn) {
                return add(node("BatchNormalization", name, in, init(join(prefix, "weight"), bn.weight().data()), init(join(prefix, "bias"), bn.bias().data()),
                        init(join(prefix, "running_mean"), bn.runningMean()), init(join(prefix, "running_var"), bn.runningVar()))
                        .addAttribute(real("epsilon", bn.eps())).addAttribute(real("momentum", 1 - bn.momentum())));
            }
            if (m instanceof Activation a) {
                return switch (a.kind()) {
                    case RELU -> add(node("Relu", name, in));
                    case RELU6 -> add(node("Clip", name, in, init(join(prefix, "min"), Tensor.scalar(0)), init(join(prefix, "max"), Tensor.scalar(6))));
                    case LEAKY_RELU -> add(node("LeakyRelu", name, in).addAttribute(real("alpha", a.slope())));
                    case SIGMOID -> add(node("Sigmoid", name, in));
                    case TANH -> add(node("Tanh", name, in));
                    case SOFTMAX -> add(node("Softmax", name, in).addAttribute(integer("axis", -1)));
                    case LOG_SOFTMAX -> add(node("LogSoftmax", name, in).addAttribute(integer("axis", -1)));
                };
            }
            if (m instanceof Flatten) return add(node("Flatten", name, in).addAttribute(integer("axis", 1)));
            if (m instanceof Recurrent r) return recurrent(prefix, name, r, in);
            if (m instanceof Embedding e) {
                // token ids arrive as floats (the model input is float); Gather needs integers
                String ids = add(node("Cast", name + "_ids", in).addAttribute(integer("to", TensorProto.DataType.INT64_VALUE)));
                return add(node("Gather", name, init(join(prefix, "weight"), e.weight().data()), ids).addAttribute(integer("axis", 0)));
            }
            if (m instanceof Dropout) return in;  // inference form: the identity
            if (m instanceof dev.lathe.nn.ConvTranspose2d t) {
                ConvSpec s = t.spec();
                NodeProto.Builder n = node("ConvTranspose", name, in, init(join(prefix, "weight"), t.weight().data()))
                        .addAllAttribute(List.of(conv(t.kernelSize(), t.kernelSize(), s))).addAttribute(ints("output_padding", t.outputPadding(), t.outputPadding()));
                if (t.bias() != null) n.addInput(init(join(prefix, "bias"), t.bias().data()));
                return add(n);
            }
            if (m instanceof dev.lathe.nn.Upsample u) {
                String scales = init(join(prefix, "scales"), resizeScales(u.scaleH(), u.scaleW()));
                return add(node("Resize", name, in, "", scales).addAllAttribute(List.of(resize(u.mode()))));
            }
            throw new IllegalArgumentException("ONNX export: layer " + (prefix.isEmpty() ? "" : "'" + prefix + "' ") + m + " has no ONNX form in Lathe's exporter");
        }

        /**
         * Stacked RNN/GRU/LSTM: [N, T, F] is transposed to ONNX's [T, N, F], each layer is one ONNX
         * node (gate blocks reordered from PyTorch's to ONNX's: LSTM i,f,g,o to i,o,f,c; GRU r,z,n to
         * z,r,h with linear_before_reset = 1, which is PyTorch's GRU), and the output goes back to [N, T, H].
         */
        String recurrent(String prefix, String name, Recurrent r, String in) {
            int h = r.hiddenSize();
            int[] order = switch (r.kind()) { case LSTM -> new int[] {0, 3, 1, 2}; case GRU -> new int[] {1, 0, 2}; case RNN -> new int[] {0}; };
            String op = switch (r.kind()) { case LSTM -> "LSTM"; case GRU -> "GRU"; case RNN -> "RNN"; };
            String at = add(node("Transpose", name + "_to_tnf", in).addAttribute(ints("perm", 1, 0, 2)));
            for (int l = 0; l < r.layerCount(); l++) {
                Variable[] p = r.layer(l);
                String lp = join(prefix, "l" + l);
                Tensor w = reorder(p[0].data(), order, h), rr = reorder(p[1].data(), order, h);
                Tensor b = Tensor.concat(0, reorder(p[2].data().reshape(-1, 1), order, h).reshape(-1), reorder(p[3].data().reshape(-1, 1), order, h).reshape(-1));
                NodeProto.Builder n = node(op, name + "_l" + l, at, init(lp + ".W", w.reshape(1, w.size(0), w.size(1))),
                        init(lp + ".R", rr.reshape(1, rr.size(0), rr.size(1))), init(lp + ".B", b.reshape(1, -1))).addAttribute(integer("hidden_size", h));
                if (r.kind() == Recurrent.Kind.GRU) n.addAttribute(integer("linear_before_reset", 1));
                String y = add(n);  // [T, 1, N, H]
                graph.addInitializer(TensorProtos.int64(lp + ".axes", 1));
                at = add(node("Squeeze", name + "_l" + l + "_squeeze", y, lp + ".axes"));
            }
            return add(node("Transpose", name + "_to_nth", at).addAttribute(ints("perm", 1, 0, 2)));
        }

        /** Rows of a [gates*h, k] tensor with its h-row gate blocks put in the given order. */
        private static Tensor reorder(Tensor t, int[] order, int h) {
            Tensor[] parts = new Tensor[order.length];
            for (int i = 0; i < order.length; i++) parts[i] = t.slice(0, order[i] * h, (order[i] + 1) * h);
            return Tensor.concat(0, parts).contiguous();
        }

        private static String join(String prefix, String name) { return prefix.isEmpty() ? name : prefix + "." + name; }
    }
}
