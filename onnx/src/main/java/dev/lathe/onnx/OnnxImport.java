package dev.lathe.onnx;

import dev.lathe.nn.Activation;
import dev.lathe.nn.BatchNorm2d;
import dev.lathe.nn.Conv2d;
import dev.lathe.nn.Flatten;
import dev.lathe.nn.Graph;
import dev.lathe.nn.Init;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Merge;
import dev.lathe.nn.Module;
import dev.lathe.nn.Pool2d;
import dev.lathe.predict.Predictor;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.tensor.DType;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * An ONNX graph turned into a Lathe {@link Graph} of layers with the file's weights, so that it can
 * be frozen into an {@link InferencePlan} (BatchNorm folding, fused activations, arena) and run by
 * the batch-1 runtime: the feed-forward vision subset — Conv (square kernel, symmetric padding,
 * groups), Gemm, BatchNormalization, Relu, Clip(0, 6), LeakyRelu, Sigmoid, Tanh, (Log)Softmax,
 * MaxPool, AveragePool, GlobalAveragePool, Add, Concat (channels), Flatten, Reshape to [N, -1],
 * Dropout, Identity; nodes of constants only are folded at load. Any other node is an error naming it; {@link OnnxModel#run} still interprets
 * such graphs, op by op.
 */
public final class OnnxImport {
    private OnnxImport() {}

    /** The converted model and its input shape ([1, ...]: a symbolic batch becomes 1). */
    public record Imported(Graph model, Shape input) {}

    public static Imported toModule(OnnxModel m, String source) {
        if (m.inputNames().size() != 1 || m.outputNames().size() != 1) {
            throw new IllegalArgumentException(source + ": the runtime takes graphs with one input and one output, this one has "
                    + m.inputNames() + " -> " + m.outputNames());
        }
        Shape input = inputShape(m, source);
        Map<String, Value> consts = new HashMap<>(m.initializers());
        Map<String, String> node = new HashMap<>(Map.of(m.inputNames().get(0), Graph.INPUT));
        Set<String> used = new HashSet<>();
        Graph.Builder b = Graph.builder();
        for (NodeProto n : m.nodes()) {
            String where = source + ": node '" + n.getName() + "' (" + n.getOpType() + ")";
            // constant folding: a node whose inputs are all constants (Constant, PyTorch's Identity on a shared
            // initializer, shape arithmetic) is evaluated once here by the interpreter's operator
            boolean constant = true;
            for (String in : n.getInputList()) constant &= in.isEmpty() || consts.containsKey(in);
            if (constant) {
                Value[] ins = new Value[n.getInputCount()];
                for (int i = 0; i < ins.length; i++) ins[i] = n.getInput(i).isEmpty() ? null : consts.get(n.getInput(i));
                Value[] outs = Operators.run(n, ins, m.opset());
                for (int i = 0; i < outs.length && i < n.getOutputCount(); i++) consts.put(n.getOutput(i), outs[i]);
                continue;
            }
            String x = n.getInputCount() == 0 ? null : node.get(n.getInput(0));
            if (x == null && !n.getOpType().equals("Constant")) {
                throw new IllegalArgumentException(where + ": its first input '" + (n.getInputCount() == 0 ? "" : n.getInput(0)) + "' is not a value the runtime computes (constant-only subgraphs are not folded)");
            }
            Attributes a = new Attributes(n);
            Module layer;
            String[] ins = {x};
            switch (n.getOpType()) {
                case "Identity", "Dropout" -> {
                    node.put(n.getOutput(0), x);
                    continue;
                }
                case "Conv" -> layer = conv(n, a, consts, where);
                case "Gemm" -> layer = gemm(n, a, consts, where);
                case "BatchNormalization" -> layer = batchNorm(n, a, consts, where);
                case "Relu" -> layer = Activation.relu();
                case "LeakyRelu" -> layer = Activation.leakyRelu(a.real("alpha", 0.01));
                case "Sigmoid" -> layer = Activation.sigmoid();
                case "Tanh" -> layer = Activation.tanh();
                case "Softmax", "LogSoftmax" -> {
                    long axis = a.integer("axis", m.opset() >= 13 ? -1 : 1);
                    if (axis != -1 && axis != 1) throw new IllegalArgumentException(where + ": softmax over axis " + axis + "; the runtime does the last axis of [N, classes]");
                    layer = n.getOpType().equals("Softmax") ? Activation.softmax() : Activation.logSoftmax();
                }
                case "Clip" -> layer = clip(n, a, consts, where);
                case "MaxPool", "AveragePool" -> layer = pool(n, a, where);
                case "GlobalAveragePool" -> layer = Pool2d.globalAverage();
                case "Flatten" -> {
                    if (a.integer("axis", 1) != 1) throw new IllegalArgumentException(where + ": Flatten axis " + a.integer("axis", 1) + "; the runtime flattens from axis 1");
                    layer = new Flatten();
                }
                case "Reshape" -> layer = reshape(n, consts, where);
                case "Add", "Concat" -> {
                    ins = new String[n.getInputCount()];
                    for (int i = 0; i < ins.length; i++) {
                        ins[i] = node.get(n.getInput(i));
                        if (ins[i] == null) throw new IllegalArgumentException(where + ": input '" + n.getInput(i) + "' is a constant; the runtime adds or joins computed values only");
                    }
                    if (n.getOpType().equals("Concat") && a.integer("axis", 0) != 1) throw new IllegalArgumentException(where + ": Concat axis " + a.integer("axis", 0) + "; the runtime joins channels (axis 1)");
                    layer = n.getOpType().equals("Add") ? Merge.add() : Merge.concat();
                }
                default -> throw new UnsupportedOperatorException(where + " has no runtime kernel; 'lathe run' interprets it op by op");
            }
            String name = uniqueName(n, used);
            node.put(n.getOutput(0), b.add(name, layer, ins));
        }
        String out = node.get(m.outputNames().get(0));
        if (out == null || out.equals(Graph.INPUT)) throw new IllegalArgumentException(source + ": the output '" + m.outputNames().get(0) + "' is not computed by a layer");
        Graph g = b.build(out);
        try {
            g.outputShape(input);  // every layer checks its input here: a shape mismatch names the layer
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        return new Imported(g, input);
    }

    /** Loads an .onnx file and freezes it for the batch-1 runtime. */
    public static Predictor predictor(Path file, int threads) throws IOException {
        Imported im = toModule(OnnxModel.load(file), file.toString());
        return Predictor.of(InferencePlan.freeze(im.model(), im.input()), threads);
    }

    private static Shape inputShape(OnnxModel m, String source) {
        ValueInfoProto v = m.proto().getGraph().getInputList().stream().filter(i -> i.getName().equals(m.inputNames().get(0))).findFirst().orElseThrow();
        if (!v.getType().getTensorType().hasShape()) throw new IllegalArgumentException(source + ": input '" + v.getName() + "' has no shape");
        var dims = v.getType().getTensorType().getShape().getDimList();
        int[] s = new int[dims.size()];
        for (int i = 0; i < s.length; i++) {
            TensorShapeProto.Dimension d = dims.get(i);
            if (d.hasDimValue()) s[i] = (int) d.getDimValue();
            else if (i == 0) s[i] = 1;
            else throw new IllegalArgumentException(source + ": input '" + v.getName() + "' dimension " + i + " is symbolic ('" + d.getDimParam() + "'); only the batch may be");
        }
        if (s.length != 2 && s.length != 4) throw new IllegalArgumentException(source + ": input '" + v.getName() + "' has shape " + Arrays.toString(s) + "; the runtime takes [N, features] or [N, C, H, W]");
        s[0] = 1;
        return Shape.of(s);
    }

    private static Tensor constant(NodeProto n, int index, Map<String, Value> consts, String where, String what) {
        if (n.getInputCount() <= index || n.getInput(index).isEmpty()) return null;
        Value v = consts.get(n.getInput(index));
        if (v == null) throw new IllegalArgumentException(where + ": " + what + " '" + n.getInput(index) + "' must be an initializer or constant");
        return v.tensor().to(DType.FLOAT32);
    }

    private static int square(long[] v, String where, String what) {
        for (long x : v) if (x != v[0]) throw new IllegalArgumentException(where + ": " + what + " " + Arrays.toString(v) + " must be equal in every dimension for the runtime");
        return (int) v[0];
    }

    private static void check2d(long[] v, String where, String what) {
        if (v.length != 2 && v.length != 4) throw new IllegalArgumentException(where + ": " + what + " " + Arrays.toString(v) + " is not 2-D");
    }

    private static Module conv(NodeProto n, Attributes a, Map<String, Value> consts, String where) {
        Tensor w = constant(n, 1, consts, where, "weight");
        if (w == null || w.dim() != 4) throw new IllegalArgumentException(where + ": weight must be a 4-D initializer [out, in/groups, k, k]");
        if (!a.string("auto_pad", "NOTSET").equals("NOTSET")) throw new IllegalArgumentException(where + ": auto_pad " + a.string("auto_pad", "") + " (explicit pads only)");
        int groups = (int) a.integer("group", 1), out = w.shape()[0], in = w.shape()[1] * groups;
        int k = square(new long[] {w.shape()[2], w.shape()[3]}, where, "kernel");
        long[] strides = a.ints("strides", new long[] {1, 1}), pads = a.ints("pads", new long[] {0, 0, 0, 0}), dil = a.ints("dilations", new long[] {1, 1});
        check2d(strides, where, "strides");
        check2d(pads, where, "pads");
        Tensor bias = constant(n, 2, consts, where, "bias");
        Conv2d c = Conv2d.builder(in, out, k).stride(square(strides, where, "strides")).padding(square(pads, where, "pads"))
                .dilation(square(dil, where, "dilations")).groups(groups).bias(bias != null).build();
        c.weight().data().assign(w);
        if (bias != null) c.bias().data().assign(bias.reshape(out));
        return c;
    }

    private static Module gemm(NodeProto n, Attributes a, Map<String, Value> consts, String where) {
        if (a.integer("transA", 0) != 0) throw new IllegalArgumentException(where + ": transA=1 (the input must be [N, features])");
        Tensor w = constant(n, 1, consts, where, "weight");
        if (w == null || w.dim() != 2) throw new IllegalArgumentException(where + ": B must be a 2-D initializer");
        if (a.integer("transB", 0) == 0) w = w.transpose(0, 1).contiguous();  // Lathe keeps [out, in]
        float alpha = (float) a.real("alpha", 1), beta = (float) a.real("beta", 1);
        int out = w.shape()[0], in = w.shape()[1];
        Tensor bias = constant(n, 2, consts, where, "C");
        if (bias != null && bias.numel() != out) throw new IllegalArgumentException(where + ": C has " + bias.numel() + " values, the runtime takes a bias of " + out);
        Linear l = new Linear(in, out, bias != null, Init.heUniform());
        l.weight().data().assign(alpha == 1 ? w : w.mul(alpha));
        if (bias != null) l.bias().data().assign((beta == 1 ? bias : bias.mul(beta)).reshape(out));
        return l;
    }

    private static Module batchNorm(NodeProto n, Attributes a, Map<String, Value> consts, String where) {
        Tensor scale = constant(n, 1, consts, where, "scale"), shift = constant(n, 2, consts, where, "B");
        Tensor mean = constant(n, 3, consts, where, "mean"), var = constant(n, 4, consts, where, "var");
        if (scale == null || shift == null || mean == null || var == null) throw new IllegalArgumentException(where + ": needs scale, B, mean and var initializers");
        if (n.getOutputCount() > 1 && n.getOutputList().stream().skip(1).anyMatch(o -> !o.isEmpty())) {
            throw new IllegalArgumentException(where + ": training mode (running statistics outputs) is not an inference graph");
        }
        int c = scale.numel();
        BatchNorm2d bn = new BatchNorm2d(c, a.real("epsilon", 1e-5), 0.1);
        bn.weight().data().assign(scale.reshape(c));
        bn.bias().data().assign(shift.reshape(c));
        bn.runningMean().assign(mean.reshape(c));
        bn.runningVar().assign(var.reshape(c));
        return bn.eval();
    }

    private static Module clip(NodeProto n, Attributes a, Map<String, Value> consts, String where) {
        Tensor lo = constant(n, 1, consts, where, "min"), hi = constant(n, 2, consts, where, "max");
        double min = lo != null ? lo.toFloatArray()[0] : a.real("min", Double.NEGATIVE_INFINITY);
        double max = hi != null ? hi.toFloatArray()[0] : a.real("max", Double.POSITIVE_INFINITY);
        if (min == 0 && max == 6) return Activation.relu6();
        if (min == 0 && max == Double.POSITIVE_INFINITY) return Activation.relu();
        throw new IllegalArgumentException(where + ": Clip(" + min + ", " + max + "); the runtime has Clip(0, 6) = ReLU6 and Clip(0, inf) = ReLU");
    }

    private static Module pool(NodeProto n, Attributes a, String where) {
        long[] kernel = a.ints("kernel_shape", null);
        if (kernel == null) throw new IllegalArgumentException(where + ": kernel_shape missing");
        if (!a.string("auto_pad", "NOTSET").equals("NOTSET")) throw new IllegalArgumentException(where + ": auto_pad " + a.string("auto_pad", "") + " (explicit pads only)");
        check2d(kernel, where, "kernel_shape");
        int k = square(kernel, where, "kernel_shape");
        int s = square(a.ints("strides", new long[] {1, 1}), where, "strides"), p = square(a.ints("pads", new long[] {0, 0, 0, 0}), where, "pads");
        if (square(a.ints("dilations", new long[] {1, 1}), where, "dilations") != 1) throw new IllegalArgumentException(where + ": dilated pooling");
        boolean ceil = a.integer("ceil_mode", 0) == 1;
        if (n.getOpType().equals("MaxPool")) {
            if (n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) throw new IllegalArgumentException(where + ": the Indices output is not supported");
            return ceil ? Pool2d.maxCeil(k, s, p) : Pool2d.max(k, s, p);
        }
        if (ceil) throw new IllegalArgumentException(where + ": ceil_mode average pooling");
        return Pool2d.average(k, s, p, a.integer("count_include_pad", 0) == 1);
    }

    /** Reshape to [N, -1] (or [1, F] at batch 1) after a feature map is a flatten. */
    private static Module reshape(NodeProto n, Map<String, Value> consts, String where) {
        Value shape = consts.get(n.getInput(1));
        if (shape == null) throw new IllegalArgumentException(where + ": the target shape must be a constant");
        long[] s = shape.longs();
        if (s.length == 2 && (s[0] == 0 || s[0] == 1 || s[0] == -1) && (s[1] == -1 || s[1] > 0) && !(s[0] == -1 && s[1] == -1)) return new Flatten();
        throw new IllegalArgumentException(where + ": Reshape to " + Arrays.toString(s) + "; the runtime takes reshapes to [N, -1] (a flatten)");
    }

    /** Graph node names: the ONNX node name (or its output), with '.' and other separators replaced, made unique. */
    private static String uniqueName(NodeProto n, Set<String> used) {
        String base = (n.getName().isEmpty() ? n.getOutput(0) : n.getName()).replaceAll("[^A-Za-z0-9_]", "_");
        if (base.isEmpty() || base.equals(Graph.INPUT)) base = n.getOpType();
        String name = base;
        for (int i = 2; !used.add(name); i++) name = base + "_" + i;
        return name;
    }
}
