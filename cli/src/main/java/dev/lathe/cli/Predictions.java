package dev.lathe.cli;

import dev.lathe.data.ImageFolder;
import dev.lathe.data.Npy;
import dev.lathe.data.Preprocessing;
import dev.lathe.io.AtomicFiles;
import dev.lathe.predict.Predictor;
import dev.lathe.sources.CsvTable;
import dev.lathe.tensor.DType;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * {@code lathe run MODEL --input PATH --output FILE} for a model trained on the engineer's own data:
 * raw records in (a CSV's rows, an image, a folder of images, a .npy of raw samples), each through
 * the checkpoint's preprocessing and the batch-1 runtime, predictions out. A {@code .csv} output has
 * one row per sample: its id (file line, image path or index), the predicted class name and the
 * probability of each class (softmax of the outputs), or the predicted value in the target's units; a
 * {@code .npy} output holds the raw outputs [N, outputs]. When the input carries the truth (the target
 * column, or class-named sub-folders) it is written too and scored.
 */
final class Predictions {
    private Predictions() {}

    /** One sample's outputs, its id, and its true class or value when the input has it (else null). */
    record Row(String id, float[] output, String truth) {}

    /** The predictions for every record of {@code input}, in order. */
    static List<Row> predict(Predictor p, Path input, PrintWriter out, boolean progress) throws IOException {
        Preprocessing prep = p.preprocessing();
        String name = input.getFileName() == null ? "" : input.getFileName().toString().toLowerCase(Locale.ROOT);
        return switch (prep) {
            case Preprocessing.Table t -> {
                if (!(name.endsWith(".csv") || name.endsWith(".tsv") || name.endsWith(".txt"))) {
                    throw new IllegalArgumentException(input + ": this model reads table rows; give a CSV with the columns " + t.columns().stream().map(Preprocessing.Column::name).toList());
                }
                yield tableRows(p, t, CsvTable.read(input), out, progress);
            }
            case Preprocessing.Images im -> {
                if (name.endsWith(".npy")) yield arrayRows(p, input);
                yield imageRows(p, im, input, progress);
            }
            case Preprocessing.Arrays a -> {
                if (!name.endsWith(".npy")) throw new IllegalArgumentException(input + ": this model reads arrays of shape " + java.util.Arrays.toString(a.sampleShape()) + "; give a .npy");
                yield arrayRows(p, input);
            }
            case null -> throw new IllegalArgumentException("this model carries no preprocessing record (it was not trained with --data on a table, images or arrays); run it on a .npy input");
        };
    }

    private static List<Row> tableRows(Predictor p, Preprocessing.Table t, CsvTable table, PrintWriter out, boolean progress) {
        int[] at = t.locate(table.header(), table.file().toString());
        String targetColumn = t.target() instanceof Preprocessing.Classes c ? c.column() : ((Preprocessing.Regression) t.target()).column();
        int truthAt = table.column(targetColumn);
        List<Row> rows = new ArrayList<>();
        int unseen = 0;
        try (ProgressBar bar = bar(progress, table.rows().size())) {
            for (CsvTable.Row r : table.rows()) {
                float[] y = new float[p.outputSize()];
                unseen += p.predictRow(r.cells(), at, y, table.where(r));
                String truth = truthAt >= 0 && !Preprocessing.isMissing(r.cells().get(truthAt)) ? r.cells().get(truthAt) : null;
                rows.add(new Row("line " + r.line(), y, truth));
                if (bar != null) bar.step();
            }
        }
        if (unseen > 0) out.println("lathe: " + unseen + " categorical value(s) the training data did not have were encoded as all zeros");
        return rows;
    }

    private static List<Row> imageRows(Predictor p, Preprocessing.Images im, Path input, boolean progress) throws IOException {
        List<Path> files;
        if (Files.isDirectory(input)) {
            try (Stream<Path> s = Files.walk(input)) {
                files = s.filter(Files::isRegularFile).filter(ImageFolder::isImageFile).sorted().toList();
            }
            if (files.isEmpty()) throw new IOException(input + ": no images (.png, .jpg, .jpeg, .bmp, .gif) in the folder or its sub-folders");
        } else {
            files = List.of(input);
        }
        List<String> classes = im.target() instanceof Preprocessing.Classes c ? c.names() : List.of();
        List<Row> rows = new ArrayList<>();
        try (ProgressBar bar = bar(progress, files.size())) {
            for (Path f : files) {
                float[] y = p.predict(ImageFolder.pixels(f, im.height(), im.width(), im.channels() == 1));
                // an image in a sub-folder named after a class has that class as its truth
                Path parent = f.getParent();
                String folder = parent == null || parent.equals(input) || parent.getFileName() == null ? null : parent.getFileName().toString();
                String id = Files.isDirectory(input) ? input.relativize(f).toString() : f.getFileName().toString();
                rows.add(new Row(id, y, classes.contains(folder) ? folder : null));
                if (bar != null) bar.step();
            }
        }
        return rows;
    }

    /** Raw samples [N, ...] (or one without the batch axis) in a .npy, standardized by the predictor as in training. */
    private static List<Row> arrayRows(Predictor p, Path input) throws IOException {
        float[] all = Npy.read(input).to(DType.FLOAT32).toFloatArray();
        int per = p.inputSize();
        if (all.length == 0 || all.length % per != 0) {
            throw new IllegalArgumentException(input + ": holds " + all.length + " values; the model takes samples of " + per + " (" + p.plan().input() + ")");
        }
        List<Row> rows = new ArrayList<>();
        float[] x = new float[per];
        for (int i = 0; i < all.length / per; i++) {
            System.arraycopy(all, i * per, x, 0, per);
            rows.add(new Row(Integer.toString(i), p.predict(x), null));
        }
        return rows;
    }

    private static ProgressBar bar(boolean progress, int n) {
        if (!progress || n < 2000) return null;
        return new ProgressBarBuilder().setTaskName("predict").setInitialMax(n).setUpdateIntervalMillis(200).setMaxRenderedLength(100).build();
    }

    /** Writes the rows as .csv (id, predicted, truth?, per-class probabilities) or .npy (raw outputs), atomically. */
    static void write(Path file, List<Row> rows, Preprocessing prep) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        int outputs = rows.getFirst().output().length;
        if (name.endsWith(".npy")) {
            float[] all = new float[rows.size() * outputs];
            for (int i = 0; i < rows.size(); i++) System.arraycopy(rows.get(i).output(), 0, all, i * outputs, outputs);
            Npy.write(file, all, new int[] {rows.size(), outputs});
            return;
        }
        if (!name.endsWith(".csv")) throw new IllegalArgumentException("--output " + file + ": write .csv (predictions) or .npy (raw outputs)");
        boolean truth = rows.stream().anyMatch(r -> r.truth() != null);
        List<String> header = new ArrayList<>(List.of("id", "predicted"));
        if (truth) header.add("truth");
        if (prep.target() instanceof Preprocessing.Classes c) c.names().forEach(n -> header.add("p_" + n));
        AtomicFiles.write(file, os -> {
            var w = new OutputStreamWriter(os, StandardCharsets.UTF_8);
            try (CSVPrinter csv = new CSVPrinter(w, CSVFormat.DEFAULT.builder().setRecordSeparator('\n').get())) {
                csv.printRecord(header);
                for (Row r : rows) {
                    List<String> rec = new ArrayList<>(List.of(r.id(), predicted(prep, r.output())));
                    if (truth) rec.add(r.truth() == null ? "" : r.truth());
                    if (prep.target() instanceof Preprocessing.Classes) for (double q : softmax(r.output())) rec.add(String.format(Locale.ROOT, "%.6f", q));
                    csv.printRecord(rec);
                }
            }  // closing the printer flushes the writer and closes the stream (AtomicFiles then renames)
        });
    }

    /** The class name, or the value in the target's units. */
    static String predicted(Preprocessing prep, float[] y) {
        return switch (prep.target()) {
            case Preprocessing.Classes c -> c.names().get(QuantizeCommand.argmax(y));
            case Preprocessing.Regression r -> String.format(Locale.ROOT, "%.6g", r.unscale(y[0]));
        };
    }

    static double[] softmax(float[] y) {
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (float v : y) max = Math.max(max, v);
        double[] p = new double[y.length];
        for (int i = 0; i < y.length; i++) sum += p[i] = Math.exp(y[i] - max);
        for (int i = 0; i < y.length; i++) p[i] /= sum;
        return p;
    }

    /** "accuracy=A" or "rmse=R" over the rows with a truth, or "" when none has one. */
    static String score(Preprocessing prep, List<Row> rows) {
        List<Row> known = rows.stream().filter(r -> r.truth() != null).toList();
        if (known.isEmpty()) return "";
        if (prep.target() instanceof Preprocessing.Regression r) {
            double se = 0;
            for (Row row : known) {
                double d = r.unscale(row.output()[0]) - Preprocessing.Table.parseNumber(row.truth(), row.id(), r.column());
                se += d * d;
            }
            return String.format(Locale.ROOT, " scored=%d rmse=%.4f", known.size(), Math.sqrt(se / known.size()));
        }
        long right = known.stream().filter(row -> predicted(prep, row.output()).equals(row.truth())).count();
        return String.format(Locale.ROOT, " scored=%d accuracy=%.4f", known.size(), (double) right / known.size());
    }
}
