package dev.lathe.nn;

import dev.lathe.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keras-style model table: one row per layer with output shape, parameters, output values and
 * MACs; a graph model adds the nodes each layer reads. The totals are an engineer's hardware
 * budget: trainable and frozen parameters, weight bytes, MACs, peak activation memory at batch 1.
 */
final class Summary {
    private Summary() {}

    static String of(Module model, Shape input) {
        boolean graph = model instanceof Graph;
        List<String[]> rows = new ArrayList<>();
        rows.add(graph ? new String[] {"Layer (type)", "Output shape", "Param #", "Values", "MACs", "Connected to"}
                : new String[] {"Layer (type)", "Output shape", "Param #", "Values", "MACs"});
        rows.add(graph ? new String[] {"input", input.toString(), "0", fmt(input.sampleSize()), "0", ""}
                : new String[] {"input", input.toString(), "0", fmt(input.sampleSize()), "0"});
        long peak;
        if (model instanceof Graph g) {
            Map<String, Shape> shapes = g.shapes(input);
            for (Graph.Node n : g.nodes()) {
                Shape out = shapes.get(n.name());
                rows.add(new String[] {n.name() + " " + n.module(), out.toString(), fmt(n.module().parameterCount()), fmt(out.sampleSize()),
                    fmt(g.macs(n, shapes)), String.join(", ", n.inputs())});
            }
            peak = g.peakValues(input);
        } else {
            Shape shape = input;
            peak = input.sampleSize();
            List<Module> layers = model instanceof Sequential s ? s.layers() : List.of(model);
            int i = 0;
            for (Module m : layers) {
                long macs = m.macs(shape);
                Shape outShape = m.outputShape(shape);
                rows.add(new String[] {i++ + " " + m, outShape.toString(), fmt(m.parameterCount()), fmt(outShape.sampleSize()), fmt(macs)});
                peak = Math.max(peak, shape.sampleSize() + outShape.sampleSize());
                shape = outShape;
            }
        }
        int cols = rows.get(0).length;
        int[] w = new int[cols];
        for (String[] r : rows) for (int c = 0; c < cols; c++) w[c] = Math.max(w[c], r[c].length());
        StringBuilder b = new StringBuilder();
        int width = 2 * (cols - 1);
        for (int c : w) width += c;
        String rule = "-".repeat(width) + "\n";
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-" + w[0] + "s  %-" + w[1] + "s  %" + w[2] + "s  %" + w[3] + "s  %" + w[4] + "s",
                    (Object[]) row));
            if (graph) line.append("  ").append(row[5]);
            b.append(line.toString().stripTrailing()).append('\n');
            if (r == 0) b.append(rule);
        }
        b.append(rule);
        long total = model.parameterCount(), trainable = model.trainableParameterCount(), buffers = 0;
        for (var t : model.namedBuffers().values()) buffers += t.numel();
        b.append("Total params: ").append(fmt(total)).append('\n');
        b.append("Trainable params: ").append(fmt(trainable)).append('\n');
        b.append("Frozen params: ").append(fmt(total - trainable)).append('\n');
        if (buffers > 0) b.append("Buffers (running statistics): ").append(fmt(buffers)).append('\n');
        b.append("Weight bytes (float32): ").append(fmt((total + buffers) * 4)).append('\n');
        // a pruned model: how many weights are exactly zero (lathe prune's report has the per-layer detail and CSR bytes)
        long zeros = 0, weights = 0;
        for (Map.Entry<String, dev.lathe.autograd.Variable> e : model.namedParameters().entrySet()) {
            if (e.getValue().shape().length < 2) continue;
            float[] values = e.getValue().data().toFloatArray();
            weights += values.length;
            for (float v : values) if (v == 0) zeros++;
        }
        if (zeros > 0) b.append(String.format(Locale.ROOT, "Sparsity: %s of %s weights are zero (%.1f%%)%n", fmt(zeros), fmt(weights), 100.0 * zeros / weights));
        b.append("MACs per sample: ").append(fmt(model.macs(input))).append('\n');
        b.append("Peak activation memory, batch 1 (").append(graph ? "values alive at once in node order" : "largest layer input + output")
                .append("): ").append(fmt(peak)).append(" values, ").append(fmt(peak * 4)).append(" bytes\n");
        return b.toString();
    }

    private static String fmt(long v) { return String.format(Locale.ROOT, "%,d", v); }
}
