package dev.lathe.data;

import dev.lathe.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What turns a raw record — a table row, an image, an array — into the model's input, and the
 * model's output back into a class name or a value in the target's units. Fitted on the training
 * split only, stored in the checkpoint (spec key {@code preprocessing}, as JSON) and applied the
 * same way by {@code Predictor}, {@code lathe run} and the exports, so a deployed model takes raw
 * values.
 */
public sealed interface Preprocessing permits Preprocessing.Table, Preprocessing.Images, Preprocessing.Arrays {
    /** The checkpoint spec key holding {@link #write}'s text. */
    String SPEC_KEY = "preprocessing";

    Target target();

    /** The model's input per sample (no batch axis). */
    int[] sampleShape();

    Map<String, Object> toJson();

    /** Outputs the model has: one per class, or one value for regression. */
    default int outputs() { return target() instanceof Classes c ? c.names().size() : 1; }

    /** "classify" or "regress". */
    default String task() { return target() instanceof Classes ? "classify" : "regress"; }

    /** What a model's targets mean: class names, or a standardized real value. */
    sealed interface Target permits Classes, Regression {}

    /** Classes in label order (label i is names[i]); column is the table column or "class" for folders. */
    record Classes(String column, List<String> names) implements Target {
        public Classes {
            names = List.copyOf(names);
            if (names.size() < 2) throw new IllegalArgumentException("target '" + column + "': needs at least 2 classes, has " + names);
        }
    }

    /** A real target the model learns standardized: model output o means o * std + mean. */
    record Regression(String column, double mean, double std) implements Target {
        public Regression {
            if (!(std > 0) || !Double.isFinite(mean)) throw new IllegalArgumentException("target '" + column + "': mean " + mean + " and std " + std + " (std must be > 0)");
        }

        public double unscale(double output) { return output * std + mean; }
    }

    /** A table column the model reads. */
    sealed interface Column permits Numeric, Categorical {
        String name();

        /** Input values it becomes: 1 for numeric, the vocabulary size for one-hot. */
        int width();
    }

    /** Standardized with the training split's mean and std; a missing value becomes {@code fill} (NaN: missing is an error). */
    record Numeric(String name, double mean, double std, double fill) implements Column {
        public Numeric {
            if (!(std > 0)) throw new IllegalArgumentException("column '" + name + "': std must be > 0, got " + std);
        }

        @Override public int width() { return 1; }
    }

    /**
     * One-hot over the training split's vocabulary; a missing value becomes {@code fill} (null: an
     * error); a value the training split did not have becomes all zeros (see {@link Table#encode}).
     */
    record Categorical(String name, List<String> vocabulary, String fill) implements Column {
        public Categorical {
            vocabulary = List.copyOf(vocabulary);
            if (vocabulary.isEmpty()) throw new IllegalArgumentException("column '" + name + "': empty vocabulary");
        }

        @Override public int width() { return vocabulary.size(); }
    }

    /** Cells that count as missing in a table (after trimming, case-insensitive). */
    static boolean isMissing(String cell) {
        String t = cell == null ? "" : cell.trim().toLowerCase(Locale.ROOT);
        return t.isEmpty() || t.equals("na") || t.equals("nan") || t.equals("n/a") || t.equals("null") || t.equals("?");
    }

    /** Rows of a table: each column standardized or one-hot, in column order. */
    record Table(List<Column> columns, Target target) implements Preprocessing {
        public Table {
            columns = List.copyOf(columns);
            if (columns.isEmpty()) throw new IllegalArgumentException("table: no feature columns");
        }

        @Override public int[] sampleShape() { return new int[] {columns.stream().mapToInt(Column::width).sum()}; }

        /** Where each model column is in a file's header; an error names every column the file lacks. */
        public int[] locate(List<String> header, String file) {
            int[] at = new int[columns.size()];
            List<String> missing = new ArrayList<>();
            for (int c = 0; c < at.length; c++) {
                at[c] = header.indexOf(columns.get(c).name());
                if (at[c] < 0) missing.add(columns.get(c).name());
            }
            if (!missing.isEmpty()) {
                throw new IllegalArgumentException(file + ": lacks the model's column(s) " + missing + "; the model reads "
                        + columns.stream().map(Column::name).toList() + ", the file has " + header);
            }
            return at;
        }

        /**
         * Encodes one row (its cells at the {@link #locate}d indices) into dst; {@code where} names file
         * and row for errors. Returns how many categorical cells held a value the training data did not
         * have: those are encoded as all zeros (scikit-learn's {@code handle_unknown='ignore'}), and the
         * caller reports the count.
         */
        public int encode(List<String> cells, int[] at, float[] dst, String where) {
            int unseen = 0;
            int o = 0;
            for (int c = 0; c < columns.size(); c++) {
                String cell = cells.get(at[c]);
                switch (columns.get(c)) {
                    case Numeric n -> {
                        double v;
                        if (isMissing(cell)) {
                            if (Double.isNaN(n.fill())) throw new IllegalArgumentException(where + " column '" + n.name() + "': missing value (the model was trained without imputation)");
                            v = n.fill();
                        } else {
                            v = parseNumber(cell, where, n.name());
                        }
                        dst[o++] = (float) ((v - n.mean()) / n.std());
                    }
                    case Categorical k -> {
                        String v = isMissing(cell) ? k.fill() : cell.trim();
                        if (v == null) throw new IllegalArgumentException(where + " column '" + k.name() + "': missing value (the model was trained without imputation)");
                        int idx = k.vocabulary().indexOf(v);
                        if (idx < 0) unseen++;
                        for (int j = 0; j < k.width(); j++) dst[o + j] = j == idx ? 1f : 0f;
                        o += k.width();
                    }
                }
            }
            return unseen;
        }

        public static double parseNumber(String cell, String where, String column) {
            try {
                double v = Double.parseDouble(cell.trim());
                if (!Double.isFinite(v)) throw new NumberFormatException();
                return v;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + " column '" + column + "': '" + cell + "' is not a number (the column is numeric)");
            }
        }

        @Override public Map<String, Object> toJson() {
            List<Object> cols = new ArrayList<>();
            for (Column c : columns) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("name", c.name());
                switch (c) {
                    case Numeric n -> {
                        m.put("type", "numeric");
                        m.put("mean", n.mean());
                        m.put("std", n.std());
                        m.put("fill", Double.isNaN(n.fill()) ? null : n.fill());
                    }
                    case Categorical k -> {
                        m.put("type", "categorical");
                        m.put("vocabulary", k.vocabulary());
                        m.put("fill", k.fill());
                    }
                }
                cols.add(m);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "table");
            m.put("columns", cols);
            m.put("target", JsonForm.target(target));
            return m;
        }
    }

    /**
     * Images resized to height x width (bilinear), channels 1 (luma) or 3 (RGB), scaled to [0, 1],
     * then standardized with the training split's pixel mean and std.
     */
    record Images(int channels, int height, int width, double mean, double std, Target target) implements Preprocessing {
        public Images {
            if (channels != 1 && channels != 3) throw new IllegalArgumentException("images: channels must be 1 or 3, got " + channels);
            if (height < 1 || width < 1) throw new IllegalArgumentException("images: size " + height + "x" + width + " must be positive");
            if (!(std > 0)) throw new IllegalArgumentException("images: std must be > 0, got " + std);
        }

        @Override public int[] sampleShape() { return new int[] {channels, height, width}; }

        /** Standardizes pixels in [0, 1] (as {@link ImageFolder} reads them) in place. */
        public float[] standardize(float[] pixels) {
            float m = (float) mean, inv = (float) (1 / std);
            for (int i = 0; i < pixels.length; i++) pixels[i] = (pixels[i] - m) * inv;
            return pixels;
        }

        @Override public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "images");
            m.put("channels", channels);
            m.put("height", height);
            m.put("width", width);
            m.put("mean", mean);
            m.put("std", std);
            m.put("target", JsonForm.target(target));
            return m;
        }
    }

    /**
     * Arrays of a fixed shape (.npz, .npy pairs). A sample of one axis (features) is standardized per
     * feature, anything else (images, signals) with one overall mean and std; both from the training split.
     */
    record Arrays(int[] shape, double[] mean, double[] std, Target target) implements Preprocessing {
        public Arrays {
            shape = shape.clone();
            mean = mean.clone();
            std = std.clone();
            int size = java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            if (mean.length != std.length || (mean.length != 1 && mean.length != size)) {
                throw new IllegalArgumentException("arrays: " + mean.length + " means and " + std.length + " stds for samples of " + size + " values (1 or " + size + " each)");
            }
            for (double d : std) if (!(d > 0)) throw new IllegalArgumentException("arrays: std must be > 0, got " + d);
        }

        @Override public int[] sampleShape() { return shape.clone(); }

        /** (raw - mean) / std into dst, per value or overall. */
        public void standardize(float[] raw, float[] dst) {
            for (int i = 0; i < raw.length; i++) {
                int k = mean.length == 1 ? 0 : i;
                dst[i] = (float) ((raw[i] - mean[k]) / std[k]);
            }
        }

        @Override public Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("kind", "arrays");
            m.put("shape", java.util.Arrays.stream(shape).boxed().toList());
            m.put("mean", java.util.Arrays.stream(mean).boxed().toList());
            m.put("std", java.util.Arrays.stream(std).boxed().toList());
            m.put("target", JsonForm.target(target));
            return m;
        }
    }

    /** The checkpoint form. */
    static String write(Preprocessing p) { return Json.write(p.toJson()); }

    /** Reads {@link #write}'s text; {@code source} (the checkpoint) names errors. */
    static Preprocessing read(String text, String source) { return JsonForm.read(text, source); }
}
