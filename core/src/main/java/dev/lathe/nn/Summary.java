package dev.lathe.nn;

import dev.lathe.tensor.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Keras-style model table: one row per layer with output shape, parameters, output values and MACs. */
final class Summary {
    private Summary() {}

    static String of(Module model, Shape input) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"Layer (type)", "Output shape", "Param #", "Values", "MACs"});
        rows.add(new String[] {"input", input.toString(), "0", fmt(input.sampleSize()), "0"});
        Shape shape = input;
        long peak = input.sampleSize();
        List<Module> layers = model instanceof Sequential s ? s.layers() : List.of(model);
        int i = 0;
        for (Module m : layers) {
            long macs = m.macs(shape);
            Shape outShape = m.outputShape(shape);
            long params = m.parameterCount();
            rows.add(new String[] {i++ + " " + m, outShape.toString(), fmt(params), fmt(outShape.sampleSize()), fmt(macs)});
            peak = Math.max(peak, shape.sampleSize() + outShape.sampleSize());
            shape = outShape;
        }
        int[] w = new int[5];
        for (String[] r : rows) for (int c = 0; c < 5; c++) w[c] = Math.max(w[c], r[c].length());
        StringBuilder b = new StringBuilder();
        String rule = "-".repeat(w[0] + w[1] + w[2] + w[3] + w[4] + 8) + "\n";
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            b.append(String.format(Locale.ROOT, "%-" + w[0] + "s  %-" + w[1] + "s  %" + w[2] + "s  %" + w[3] + "s  %" + w[4] + "s%n",
                    (Object[]) row));
            if (r == 0) b.append(rule);
        }
        b.append(rule);
        long total = model.parameterCount(), buffers = 0;
        for (var t : model.namedBuffers().values()) buffers += t.numel();
        b.append("Total params: ").append(fmt(total)).append('\n');
        b.append("Trainable params: ").append(fmt(total)).append('\n');
        b.append("Frozen params: 0\n");
        if (buffers > 0) b.append("Buffers (running statistics): ").append(fmt(buffers)).append('\n');
        b.append("Weight bytes (float32): ").append(fmt((total + buffers) * 4)).append('\n');
        b.append("MACs per sample: ").append(fmt(model.macs(input))).append('\n');
        b.append("Peak activation memory, batch 1 (largest layer input + output): ").append(fmt(peak)).append(" values, ")
                .append(fmt(peak * 4)).append(" bytes\n");
        return b.toString();
    }

    private static String fmt(long v) { return String.format(Locale.ROOT, "%,d", v); }
}
