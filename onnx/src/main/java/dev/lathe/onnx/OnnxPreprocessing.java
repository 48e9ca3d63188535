package dev.lathe.onnx;

import dev.lathe.data.Preprocessing;
import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.StringStringEntryProto;
import onnx.Onnx.ValueInfoProto;

/**
 * A checkpoint's {@link Preprocessing} as ONNX nodes around an exported model, so an ONNX Runtime
 * user feeds raw values and reads values in the target's units:
 * <ul>
 *   <li>a table: the input is [N, columns], one float per table column in the model's column order —
 *       a numeric column's raw value (NaN where missing, replaced by the training mean when the model
 *       was trained with imputation), a text column's index in its vocabulary (listed in the
 *       metadata; -1 or any other index encodes as all zeros, as Lathe does for unseen values); each
 *       column standardized (Sub, Div) or one-hot (Equal against 0..k-1, Cast), then concatenated;</li>
 *   <li>images: [N, C, H, W] pixels in [0, 1] (Sub mean, Div std); arrays: raw values likewise;</li>
 *   <li>a regression output is scaled back (Mul std, Add mean).</li>
 * </ul>
 * The preprocessing record itself goes into the model's metadata ({@code lathe.preprocessing}).
 */
public final class OnnxPreprocessing {
    private OnnxPreprocessing() {}

    public static ModelProto wrap(ModelProto model, Preprocessing p) {
        GraphProto.Builder g = model.getGraph().toBuilder();
        OnnxExport.renameInNodes(g, "input", "encoded");
        OnnxExport.renameInNodes(g, "output", "model_output");
        List<NodeProto> pre = new ArrayList<>(), post = new ArrayList<>();
        ValueInfoProto inputInfo = g.getInput(0);
        switch (p) {
            case Preprocessing.Table t -> {
                List<String> parts = new ArrayList<>();
                for (int c = 0; c < t.columns().size(); c++) {
                    String col = "column_" + c;
                    g.addInitializer(TensorProtos.int64(col + "_index", c));
                    pre.add(node("Gather", col + "_raw", "input", col + "_index").addAttribute(OnnxExport.integer("axis", 1)).build());
                    // Gather with a 1-D index keeps the axis: [N, 1]
                    switch (t.columns().get(c)) {
                        case Preprocessing.Numeric n -> {
                            String x = col + "_raw";
                            if (!Double.isNaN(n.fill())) {
                                g.addInitializer(TensorProtos.write(col + "_fill", Tensor.of(new float[] {(float) n.fill()}, 1)));
                                pre.add(node("IsNaN", col + "_missing", x).build());
                                pre.add(node("Where", col + "_filled", col + "_missing", col + "_fill", x).build());
                                x = col + "_filled";
                            }
                            g.addInitializer(TensorProtos.write(col + "_mean", Tensor.of(new float[] {(float) n.mean()}, 1)));
                            g.addInitializer(TensorProtos.write(col + "_std", Tensor.of(new float[] {(float) n.std()}, 1)));
                            pre.add(node("Sub", col + "_centred", x, col + "_mean").build());
                            pre.add(node("Div", col, col + "_centred", col + "_std").build());
                        }
                        case Preprocessing.Categorical k -> {
                            float[] codes = new float[k.width()];
                            for (int j = 0; j < codes.length; j++) codes[j] = j;
                            g.addInitializer(TensorProtos.write(col + "_codes", Tensor.of(codes, 1, codes.length)));
                            pre.add(node("Equal", col + "_hot", col + "_raw", col + "_codes").build());
                            pre.add(node("Cast", col, col + "_hot").addAttribute(OnnxExport.integer("to", onnx.Onnx.TensorProto.DataType.FLOAT_VALUE)).build());
                        }
                    }
                    parts.add(col);
                }
                pre.add(node("Concat", "encoded", parts.toArray(String[]::new)).addAttribute(OnnxExport.integer("axis", 1)).build());
                inputInfo = OnnxExport.valueInfo("input", dev.lathe.tensor.Shape.batchOf(t.columns().size()));
            }
            case Preprocessing.Images im -> standardize(g, pre, new double[] {im.mean()}, new double[] {im.std()}, im.sampleShape());
            case Preprocessing.Arrays a -> standardize(g, pre, a.mean(), a.std(), a.sampleShape());
        }
        if (p.target() instanceof Preprocessing.Regression r) {
            g.addInitializer(TensorProtos.write("target_std", Tensor.of(new float[] {(float) r.std()}, 1)));
            g.addInitializer(TensorProtos.write("target_mean", Tensor.of(new float[] {(float) r.mean()}, 1)));
            post.add(node("Mul", "output_scaled", "model_output", "target_std").build());
            post.add(node("Add", "output", "output_scaled", "target_mean").build());
        } else {
            post.add(node("Identity", "output", "model_output").build());
        }
        List<NodeProto> nodes = new ArrayList<>(pre);
        nodes.addAll(g.getNodeList());
        nodes.addAll(post);
        g.clearNode().addAllNode(nodes);
        g.setInput(0, inputInfo);
        g.setOutput(0, g.getOutput(0).toBuilder().setName("output"));
        return model.toBuilder().setGraph(g)
                .setDocString(model.getDocString() + "; input: " + describe(p))
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey("lathe.preprocessing").setValue(Preprocessing.write(p)))
                .build();
    }

    /** What the raw input holds, for the model's doc string. */
    public static String describe(Preprocessing p) {
        return switch (p) {
            case Preprocessing.Table t -> "one float per column " + t.columns().stream().map(c -> c instanceof Preprocessing.Categorical k
                    ? c.name() + " (index in " + k.vocabulary() + ")" : c.name()).toList() + ", raw values";
            case Preprocessing.Images im -> "pixels in [0, 1], " + im.channels() + "x" + im.height() + "x" + im.width();
            case Preprocessing.Arrays a -> "raw arrays " + java.util.Arrays.toString(a.sampleShape());
        };
    }

    private static void standardize(GraphProto.Builder g, List<NodeProto> pre, double[] mean, double[] std, int[] sample) {
        int[] shape = mean.length == 1 ? new int[] {1} : sample;
        float[] m = new float[mean.length], s = new float[std.length];
        for (int i = 0; i < m.length; i++) {
            m[i] = (float) mean[i];
            s[i] = (float) std[i];
        }
        g.addInitializer(TensorProtos.write("input_mean", Tensor.of(m, shape)));
        g.addInitializer(TensorProtos.write("input_std", Tensor.of(s, shape)));
        pre.add(node("Sub", "input_centred", "input", "input_mean").build());
        pre.add(node("Div", "encoded", "input_centred", "input_std").build());
    }

    private static NodeProto.Builder node(String op, String output, String... inputs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(output).addOutput(output);
        for (String in : inputs) n.addInput(in);
        return n;
    }
}
