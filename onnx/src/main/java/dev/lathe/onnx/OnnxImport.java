package dev.lathe.onnx;

import dev.lathe.ir.Node;
import dev.lathe.ir.Op;
import dev.lathe.ir.Pass;
import dev.lathe.ir.Program;
import dev.lathe.ir.Raising;
import dev.lathe.kernels.Epilogue;
import dev.lathe.kernels.Resize;
import dev.lathe.nn.Graph;
import dev.lathe.predict.Predictor;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.tensor.ConvSpec;
import dev.lathe.tensor.DType;
import dev.lathe.tensor.PoolSpec;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx.NodeProto;
import onnx.Onnx.TensorShapeProto;
import onnx.Onnx.ValueInfoProto;

/**
 * An ONNX graph lowered straight to the inference IR ({@link Program}) with the file's weights, for
 * the batch-1 runtime: Conv and ConvTranspose (any kernel, per-axis strides and dilations; asymmetric
 * or auto pads become a {@link Op.Pad} node before a conv), Gemm, MatMul by a constant, BatchNormalization,
 * Relu, Clip(0, 6), LeakyRelu, Sigmoid, Tanh, (Log)Softmax, MaxPool and AveragePool (per-axis windows),
 * GlobalAveragePool, Add, Concat (channels), Flatten, Reshape (a view), Pad (zeros), Transpose keeping the batch
 * first (an NHWC input made NCHW), Resize by whole factors, Dropout, Identity; nodes of constants
 * only are folded at load; every graph output is a program output. A node the IR cannot express is
 * an {@link UnsupportedOperatorException} naming it and what it lacks ({@code lathe run} then
 * interprets the file op by op); a malformed file is an IllegalArgumentException.
 */
public final class OnnxImport {
    private OnnxImport() {}

    /** A model as trainable nn layers (for fine-tuning) and its input shape ([1, ...]: a symbolic batch becomes 1). */
    public record Imported(Graph model, Shape input) {}

    /** The graph as nn layers, through the IR ({@link Raising}: square kernels and the like, or an error naming the node). */
    public static Imported toModule(OnnxModel m, String source) {
        Program p = toProgram(m, source);
        try {
            return new Imported(Raising.toGraph(p), p.inputs().get(Graph.INPUT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
    }

    /** Loads an .onnx file and freezes it for the batch-1 runtime. */
    public static Predictor predictor(Path file, int threads) throws IOException {
        return Predictor.of(InferencePlan.of(Pass.all(toProgram(OnnxModel.load(file), file.toString()), Pass.INFERENCE)), threads);
    }

    /** The graph as a program: its one input named {@link Graph#INPUT}, its outputs under their node names. */
    public static Program toProgram(OnnxModel m, String source) {
        if (m.inputNames().size() != 1) throw new UnsupportedOperatorException(source + ": the runtime takes graphs with one input, this one has " + m.inputNames());
        return new Lowerer(m, source).lower();
    }

    /** One conversion: the values computed so far, the constants, the nodes. */
    private static final class Lowerer {
        final OnnxModel m;
        final String source;
        final Map<String, Value> consts;
        final Map<String, String> value = new HashMap<>();
        final Map<String, Shape> shapes = new HashMap<>();
        final List<Node> nodes = new ArrayList<>();
        final Set<String> used = new HashSet<>(Set.of(Graph.INPUT));
        String where;

        Lowerer(OnnxModel m, String source) {
            this.m = m;
            this.source = source;
            this.consts = new HashMap<>(m.initializers());
            value.put(m.inputNames().get(0), Graph.INPUT);
            shapes.put(Graph.INPUT, inputShape(m, source));
        }

        Program lower() {
            for (NodeProto n : m.nodes()) {
                where = source + ": node '" + n.getName() + "' (" + n.getOpType() + ")";
                if (foldConstant(n)) continue;
                String x = n.getInputCount() == 0 ? null : value.get(n.getInput(0));
                if (x == null) throw unsupported("its first input '" + (n.getInputCount() == 0 ? "" : n.getInput(0)) + "' is not a value the runtime computes");
                lowerNode(n, new Attributes(n), x);
            }
            List<String> outs = new ArrayList<>();
            for (String o : m.outputNames()) {
                String v = value.get(o);
                if (v == null) throw new UnsupportedOperatorException(source + ": the output '" + o + "' is not computed by a node the runtime runs");
                if (v.equals(Graph.INPUT)) {  // the graph passes its input through (an Identity, a Dropout): a view of it
                    v = add(uniqueName(o, "Identity"), Op.Reshape.keeping(shapes.get(Graph.INPUT)), new String[] {Graph.INPUT}, null);
                }
                outs.add(v);
            }
            Map<String, Shape> inputs = new LinkedHashMap<>();
            inputs.put(Graph.INPUT, shapes.get(Graph.INPUT));
            return new Program(inputs, nodes, outs);
        }

        /** A node whose inputs are all constants (Constant, shape arithmetic) is evaluated once here by the interpreter's operator. */
        boolean foldConstant(NodeProto n) {
            for (String in : n.getInputList()) if (!in.isEmpty() && !consts.containsKey(in)) return false;
            Value[] ins = new Value[n.getInputCount()];
            for (int i = 0; i < ins.length; i++) ins[i] = n.getInput(i).isEmpty() ? null : consts.get(n.getInput(i));
            Value[] outs = Operators.run(n, ins, m.opset());
            for (int i = 0; i < outs.length && i < n.getOutputCount(); i++) consts.put(n.getOutput(i), outs[i]);
            return true;
        }

        void lowerNode(NodeProto n, Attributes a, String x) {
            Shape in = shapes.get(x);
            switch (n.getOpType()) {
                case "Identity", "Dropout" -> value.put(n.getOutput(0), x);
                case "Conv" -> conv(n, a, x, in);
                case "ConvTranspose" -> convTranspose(n, a, x);
                case "Gemm" -> emit(n, gemm(n, a), x);
                case "MatMul" -> emit(n, matMul(n), x);
                case "BatchNormalization" -> emit(n, batchNorm(n, a), x);
                case "Relu" -> emit(n, Op.Activation.of(Op.Activation.Kind.RELU), x);
                case "LeakyRelu" -> emit(n, new Op.Activation(Op.Activation.Kind.LEAKY_RELU, a.real("alpha", 0.01)), x);
                case "Sigmoid" -> emit(n, Op.Activation.of(Op.Activation.Kind.SIGMOID), x);
                case "Tanh" -> emit(n, Op.Activation.of(Op.Activation.Kind.TANH), x);
                case "Softmax", "LogSoftmax" -> {
                    long axis = a.integer("axis", m.opset() >= 13 ? -1 : 1);
                    if (axis != -1 && axis != in.rank() - 1) throw unsupported("softmax over axis " + axis + "; the runtime does the last axis");
                    emit(n, Op.Activation.of(n.getOpType().equals("Softmax") ? Op.Activation.Kind.SOFTMAX : Op.Activation.Kind.LOG_SOFTMAX), x);
                }
                case "Clip" -> emit(n, clip(n, a), x);
                case "MaxPool", "AveragePool" -> pool(n, a, x, in);
                case "GlobalAveragePool" -> emit(n, Op.Pool.globalAverage(), x);
                case "Flatten" -> {
                    if (a.integer("axis", 1) != 1) throw unsupported("Flatten axis " + a.integer("axis", 1) + "; the runtime flattens from axis 1");
                    emit(n, Op.Reshape.flatten(), x);
                }
                case "Reshape" -> emit(n, reshape(n, in), x);
                case "Transpose" -> emit(n, new Op.Transpose(Arrays.stream(a.ints("perm", reversed(in.rank()))).mapToInt(Math::toIntExact).toArray()), x);
                case "Resize" -> emit(n, resize(n, a, in), x);
                case "Pad" -> emit(n, pad(n, a, in), x);
                case "Add", "Concat" -> {
                    String[] ins = new String[n.getInputCount()];
                    for (int i = 0; i < ins.length; i++) {
                        ins[i] = value.get(n.getInput(i));
                        if (ins[i] == null) throw unsupported("input '" + n.getInput(i) + "' is a constant; the runtime adds or joins computed values only");
                    }
                    if (n.getOpType().equals("Concat") && a.integer("axis", 0) != 1) throw unsupported("Concat axis " + a.integer("axis", 0) + "; the runtime joins channels (axis 1)");
                    emit(n, n.getOpType().equals("Add") ? new Op.Add() : new Op.Concat(), ins);
                }
                default -> throw unsupported("has no runtime kernel");
            }
        }

        /** Adds a node for an ONNX node's first output; its shape is inferred here, a mismatch names the node. */
        String emit(NodeProto n, Op op, String... inputs) {
            String name = uniqueName(n.getName().isEmpty() ? n.getOutput(0) : n.getName(), n.getOpType());
            return add(name, op, inputs, n.getOutput(0));
        }

        String add(String name, Op op, String[] inputs, String onnxOutput) {
            Shape s;
            try {
                s = op.outputShape(Arrays.stream(inputs).map(shapes::get).toList());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
            nodes.add(new Node(name, op, List.of(inputs), s, ""));
            shapes.put(name, s);
            if (onnxOutput != null) value.put(onnxOutput, name);
            return name;
        }

        void conv(NodeProto n, Attributes a, String x, Shape in) {
            Tensor w = constant(n, 1, "weight");
            if (w == null || w.dim() != 4) throw unsupported("weight must be a 4-D initializer [out, in/groups, kh, kw]");
            long[] strides = pair(a.ints("strides", new long[] {1, 1}), "strides"), dil = pair(a.ints("dilations", new long[] {1, 1}), "dilations");
            long[] pads = pads(a, in, new long[] {w.size(2), w.size(3)}, strides, dil);
            Tensor bias = constant(n, 2, "bias");
            ConvSpec spec = new ConvSpec((int) strides[0], (int) strides[1], 0, 0, (int) dil[0], (int) dil[1], (int) a.integer("group", 1));
            String at = padded(n, x, pads);
            boolean symmetric = at.equals(x);
            if (symmetric) spec = new ConvSpec(spec.strideH(), spec.strideW(), (int) pads[0], (int) pads[1], spec.dilationH(), spec.dilationW(), spec.groups());
            emit(n, new Op.Conv2d(w, bias == null ? null : bias.reshape(w.size(0)), spec, Epilogue.NONE), at);
        }

        void convTranspose(NodeProto n, Attributes a, String x) {
            Tensor w = constant(n, 1, "weight");
            if (w == null || w.dim() != 4) throw unsupported("weight must be a 4-D initializer [in, out/groups, kh, kw]");
            if (a.has("output_shape")) throw unsupported("output_shape is not supported (give pads and output_padding)");
            if (!a.string("auto_pad", "NOTSET").equals("NOTSET")) throw unsupported("auto_pad " + a.string("auto_pad", "") + " on a transposed convolution (explicit pads only)");
            long[] strides = pair(a.ints("strides", new long[] {1, 1}), "strides"), dil = pair(a.ints("dilations", new long[] {1, 1}), "dilations");
            long[] pads = a.ints("pads", new long[] {0, 0, 0, 0}), outPad = pair(a.ints("output_padding", new long[] {0, 0}), "output_padding");
            if (pads.length != 4 || pads[0] != pads[2] || pads[1] != pads[3]) throw unsupported("pads " + Arrays.toString(pads) + "; a transposed convolution takes the same pad at both ends of an axis");
            Tensor bias = constant(n, 2, "bias");
            ConvSpec spec = new ConvSpec((int) strides[0], (int) strides[1], (int) pads[0], (int) pads[1], (int) dil[0], (int) dil[1], (int) a.integer("group", 1));
            emit(n, new Op.ConvTranspose2d(w, bias == null ? null : bias.reshape(-1), spec, (int) outPad[0], (int) outPad[1]), x);
        }

        void pool(NodeProto n, Attributes a, String x, Shape in) {
            long[] kernel = a.ints("kernel_shape", null);
            if (kernel == null) throw unsupported("kernel_shape missing");
            pair(kernel, "kernel_shape");
            long[] strides = pair(a.ints("strides", new long[] {1, 1}), "strides");
            if (Arrays.stream(a.ints("dilations", new long[] {1, 1})).anyMatch(d -> d != 1)) throw unsupported("dilated pooling");
            long[] pads = pads(a, in, kernel, strides, new long[] {1, 1});
            // zeros are not a neutral pad for a max, nor for an average that excludes padding: the pad must be the op's own
            if (pads[0] != pads[2] || pads[1] != pads[3]) throw unsupported("pads " + Arrays.toString(pads) + "; pooling takes the same pad at both ends of an axis");
            boolean ceil = a.integer("ceil_mode", 0) == 1, max = n.getOpType().equals("MaxPool");
            if (max && n.getOutputCount() > 1 && !n.getOutput(1).isEmpty()) throw unsupported("the Indices output is not supported");
            if (!max && ceil) throw unsupported("ceil_mode average pooling");
            PoolSpec spec = new PoolSpec((int) kernel[0], (int) kernel[1], (int) strides[0], (int) strides[1], (int) pads[0], (int) pads[1], ceil);
            emit(n, new Op.Pool(max ? Op.Pool.Kind.MAX : Op.Pool.Kind.AVERAGE, spec, !max && a.integer("count_include_pad", 0) == 1), x);
        }

        /** pads [top, left, bottom, right] from explicit pads or auto_pad (SAME_UPPER puts the odd one at the end, as TensorFlow does). */
        long[] pads(Attributes a, Shape in, long[] kernel, long[] strides, long[] dil) {
            String auto = a.string("auto_pad", "NOTSET");
            if (auto.equals("NOTSET")) {
                long[] p = a.ints("pads", new long[] {0, 0, 0, 0});
                if (p.length != 4) throw unsupported("pads " + Arrays.toString(p) + " are not 2-D");
                return new long[] {p[0], p[1], p[2], p[3]};
            }
            if (auto.equals("VALID")) return new long[4];
            if (!auto.equals("SAME_UPPER") && !auto.equals("SAME_LOWER")) throw unsupported("auto_pad " + auto);
            long[] out = new long[4];
            for (int d = 0; d < 2; d++) {
                long size = in.dim(2 + d), target = (size + strides[d] - 1) / strides[d];
                long total = Math.max(0, (target - 1) * strides[d] + (kernel[d] - 1) * dil[d] + 1 - size);
                long small = total / 2, big = total - small;
                out[d] = auto.equals("SAME_UPPER") ? small : big;
                out[d + 2] = auto.equals("SAME_UPPER") ? big : small;
            }
            return out;
        }

        /** x itself when the pads are the same at both ends of each axis, else a Pad node taking them all (the conv then pads nothing). */
        String padded(NodeProto n, String x, long[] pads) {
            if (pads[0] == pads[2] && pads[1] == pads[3]) return x;
            return add(uniqueName((n.getName().isEmpty() ? n.getOutput(0) : n.getName()) + "_pad", "Pad"),
                    new Op.Pad((int) pads[0], (int) pads[1], (int) pads[2], (int) pads[3]), new String[] {x}, null);
        }

        Op gemm(NodeProto n, Attributes a) {
            if (a.integer("transA", 0) != 0) throw unsupported("transA=1 (the input must be [N, features])");
            Tensor w = constant(n, 1, "B");
            if (w == null || w.dim() != 2) throw unsupported("B must be a 2-D initializer");
            if (a.integer("transB", 0) == 0) w = w.transpose(0, 1).contiguous();  // the IR keeps [out, in]
            float alpha = (float) a.real("alpha", 1), beta = (float) a.real("beta", 1);
            int out = w.size(0);
            Tensor bias = constant(n, 2, "C");
            if (bias != null && bias.numel() != out) throw unsupported("C has " + bias.numel() + " values, the runtime takes a bias of " + out);
            return new Op.Dense(alpha == 1 ? w : w.mul(alpha), bias == null ? null : (beta == 1 ? bias : bias.mul(beta)).reshape(out), Epilogue.NONE);
        }

        /** x [.., in] times a constant [in, out]: a dense layer without bias. */
        Op matMul(NodeProto n) {
            Tensor b = constant(n, 1, "B");
            if (b == null || b.dim() != 2) throw unsupported("the runtime multiplies by a constant 2-D B only");
            return new Op.Dense(b.transpose(0, 1).contiguous(), null, Epilogue.NONE);
        }

        Op batchNorm(NodeProto n, Attributes a) {
            Tensor scale = constant(n, 1, "scale"), shift = constant(n, 2, "B"), mean = constant(n, 3, "mean"), var = constant(n, 4, "var");
            if (scale == null || shift == null || mean == null || var == null) throw unsupported("needs scale, B, mean and var initializers");
            if (n.getOutputCount() > 1 && n.getOutputList().stream().skip(1).anyMatch(o -> !o.isEmpty())) throw unsupported("training mode (running statistics outputs) is not an inference graph");
            int c = scale.numel();
            return new Op.BatchNorm(scale.reshape(c), shift.reshape(c), mean.reshape(c), var.reshape(c), a.real("epsilon", 1e-5));
        }

        Op clip(NodeProto n, Attributes a) {
            Tensor lo = constant(n, 1, "min"), hi = constant(n, 2, "max");
            double min = lo != null ? lo.toFloatArray()[0] : a.real("min", Double.NEGATIVE_INFINITY);
            double max = hi != null ? hi.toFloatArray()[0] : a.real("max", Double.POSITIVE_INFINITY);
            if (min == 0 && max == 6) return Op.Activation.of(Op.Activation.Kind.RELU6);
            if (min == 0 && max == Double.POSITIVE_INFINITY) return Op.Activation.of(Op.Activation.Kind.RELU);
            throw unsupported("Clip(" + min + ", " + max + "); the runtime has Clip(0, 6) = ReLU6 and Clip(0, inf) = ReLU");
        }

        /** A constant target shape: the batch axis kept (0, 1 or -1), 0 copies the input's dimension, one -1 is inferred. */
        Op reshape(NodeProto n, Shape in) {
            Value shape = consts.get(n.getInput(1));
            if (shape == null) throw unsupported("the target shape must be a constant");
            long[] s = shape.longs();
            if (s.length < 1 || (s[0] != 0 && s[0] != 1 && s[0] != -1)) throw unsupported("Reshape to " + Arrays.toString(s) + " changes the batch axis");
            int[] sample = new int[s.length - 1];
            for (int i = 1; i < s.length; i++) sample[i - 1] = s[i] == 0 ? in.dim(i) : (int) s[i];
            if (s[0] == -1 && Arrays.stream(sample).anyMatch(d -> d == -1)) throw unsupported("Reshape to " + Arrays.toString(s) + " infers two axes");
            return new Op.Reshape(sample);
        }

        /** Zero padding of height and width only (PyTorch's ZeroPad2d, TensorFlow's SAME made explicit). */
        Op pad(NodeProto n, Attributes a, Shape in) {
            if (!a.string("mode", "constant").equals("constant")) throw unsupported("mode " + a.string("mode", "") + "; the runtime pads with zeros");
            Value pv = n.getInputCount() > 1 && !n.getInput(1).isEmpty() ? consts.get(n.getInput(1)) : null;
            if (n.getInputCount() > 1 && !n.getInput(1).isEmpty() && pv == null) throw unsupported("the pads must be a constant");
            long[] p = pv != null ? pv.longs() : a.ints("pads", null);
            Tensor fill = constant(n, 2, "constant_value");
            if ((fill != null && fill.toFloatArray()[0] != 0) || a.real("value", 0) != 0) throw unsupported("a non-zero pad value; the runtime pads with zeros");
            if (p == null || in.rank() != 4 || p.length != 8 || p[0] != 0 || p[1] != 0 || p[4] != 0 || p[5] != 0 || Arrays.stream(p).anyMatch(v -> v < 0)) {
                throw unsupported("pads " + Arrays.toString(p) + "; the runtime pads height and width of [N, C, H, W] by amounts >= 0");
            }
            return new Op.Pad((int) p[2], (int) p[3], (int) p[6], (int) p[7]);
        }

        /** Whole-number scales on height and width, in PyTorch's two conventions (nearest: asymmetric + floor; linear: half pixels). */
        Op resize(NodeProto n, Attributes a, Shape in) {
            Tensor scales = n.getInputCount() > 2 ? constant(n, 2, "scales") : null;
            Tensor sizes = n.getInputCount() > 3 ? constant(n, 3, "sizes") : null;
            double[] f = new double[4];
            if (scales != null && scales.numel() == 4) {
                float[] v = scales.toFloatArray();
                for (int i = 0; i < 4; i++) f[i] = v[i];
            } else if (sizes != null && sizes.numel() == 4) {
                float[] v = sizes.toFloatArray();
                for (int i = 0; i < 4; i++) f[i] = v[i] / in.dim(i);
            } else {
                throw unsupported("needs constant scales or sizes for the 4 axes");
            }
            if (f[0] != 1 || f[1] != 1 || f[2] != Math.rint(f[2]) || f[3] != Math.rint(f[3]) || f[2] < 1 || f[3] < 1) {
                throw unsupported("scales " + Arrays.toString(f) + "; the runtime upsamples height and width by whole factors");
            }
            String mode = a.string("mode", "nearest"), coords = a.string("coordinate_transformation_mode", "half_pixel");
            Resize.Mode r;
            if (mode.equals("nearest") && coords.equals("asymmetric") && a.string("nearest_mode", "round_prefer_floor").equals("floor")) r = Resize.Mode.NEAREST;
            else if (mode.equals("linear") && (coords.equals("half_pixel") || coords.equals("pytorch_half_pixel"))) r = Resize.Mode.BILINEAR;
            else throw unsupported("mode " + mode + " with " + coords + " coordinates (nearest_mode " + a.string("nearest_mode", "round_prefer_floor")
                    + "); the runtime has nearest/asymmetric/floor and linear/half_pixel");
            return new Op.Resize(r, (int) f[2], (int) f[3]);
        }

        Tensor constant(NodeProto n, int index, String what) {
            if (n.getInputCount() <= index || n.getInput(index).isEmpty()) return null;
            Value v = consts.get(n.getInput(index));
            if (v == null) throw unsupported(what + " '" + n.getInput(index) + "' must be an initializer or constant");
            return v.tensor().to(DType.FLOAT32);
        }

        long[] pair(long[] v, String what) {
            if (v.length != 2) throw unsupported(what + " " + Arrays.toString(v) + " is not 2-D");
            return v;
        }

        /** Node names: the ONNX name (or output) with separators replaced, made unique. */
        String uniqueName(String raw, String op) {
            String base = raw.replaceAll("[^A-Za-z0-9_]", "_");
            if (base.isEmpty()) base = op;
            String name = base;
            for (int i = 2; !used.add(name); i++) name = base + "_" + i;
            return name;
        }

        UnsupportedOperatorException unsupported(String why) { return new UnsupportedOperatorException(where + ": " + why); }
    }

    private static long[] reversed(int rank) {
        long[] p = new long[rank];
        for (int i = 0; i < rank; i++) p[i] = rank - 1 - i;
        return p;
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
        if (s.length < 2) throw new IllegalArgumentException(source + ": input '" + v.getName() + "' has shape " + Arrays.toString(s) + "; the runtime takes [N, ...]");
        s[0] = 1;
        return Shape.of(s);
    }
}
