package dev.lathe.sources;

import dev.lathe.data.ArrayDataset;
import dev.lathe.data.DataLoader;
import dev.lathe.data.Preprocessing;
import dev.lathe.data.Preprocessing.Categorical;
import dev.lathe.data.Preprocessing.Classes;
import dev.lathe.data.Preprocessing.Column;
import dev.lathe.data.Preprocessing.Numeric;
import dev.lathe.data.Preprocessing.Regression;
import dev.lathe.data.Preprocessing.Target;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

/**
 * A table becomes training data: the target column and task chosen (or inferred, and said), every
 * feature column typed as numeric or categorical, missing values counted and dropped or imputed as
 * asked, and a {@link Preprocessing.Table} fitted on the training rows only (means, standard
 * deviations, vocabularies, class names) that encodes the training and test rows alike.
 */
public final class Tables {
    private Tables() {}

    /** A numeric target with at most this many distinct integer values is taken as classes. */
    public static final int MAX_INTEGER_CLASSES = 20;

    /** What the user chose: target (null = last column), task (auto, classify, regress), columns (null = all), drop, missing (error, drop, impute). */
    public record Options(String target, String task, List<String> columns, List<String> drop, String missing) {
        public Options {
            columns = columns == null ? null : List.copyOf(columns);
            drop = drop == null ? List.of() : List.copyOf(drop);
            if (!List.of("auto", "classify", "regress").contains(task)) throw new IllegalArgumentException("--task must be auto, classify or regress, got '" + task + "'");
            if (!List.of("error", "drop", "impute").contains(missing)) throw new IllegalArgumentException("--missing must be error, drop or impute, got '" + missing + "'");
        }
    }

    /** A test split is taken from the training file (seeded) when {@code test} is null. */
    public static Sources.Loaded fit(CsvTable train, CsvTable test, double testFraction, long seed, Options o) {
        List<String> notes = new ArrayList<>();
        String target = o.target() != null ? o.target() : train.header().getLast();
        if (train.column(target) < 0) {
            throw new IllegalArgumentException(train.file() + ": no target column '" + target + "' (columns: " + train.header() + "); choose one with --target");
        }
        List<String> features = featureColumns(train, target, o);
        List<CsvTable.Row> trainRows = train.rows(), testRows;
        if (test == null) {
            if (!(testFraction > 0 && testFraction < 1)) throw new IllegalArgumentException("--test must be in (0, 1) without --test-data, got " + testFraction);
            int n = trainRows.size(), nTest = (int) Math.round(n * testFraction);
            if (nTest < 1 || nTest >= n) throw new IllegalArgumentException(train.file() + ": " + n + " rows are too few to hold out a test fraction of " + testFraction);
            int[] perm = DataLoader.permutation(n, new Random(seed));
            int[] testIdx = java.util.Arrays.copyOf(perm, nTest), trainIdx = java.util.Arrays.copyOfRange(perm, nTest, n);
            java.util.Arrays.sort(testIdx);
            java.util.Arrays.sort(trainIdx);
            List<CsvTable.Row> all = trainRows;
            trainRows = java.util.Arrays.stream(trainIdx).mapToObj(all::get).toList();
            testRows = java.util.Arrays.stream(testIdx).mapToObj(all::get).toList();
            notes.add(String.format(Locale.ROOT, "test split: %d of %d rows (--test %s, seed %d)", nTest, n, testFraction, seed));
        } else {
            for (String c : concat(features, target)) {
                if (test.column(c) < 0) throw new IllegalArgumentException(test.file() + ": lacks column '" + c + "' that " + train.file() + " has (columns: " + test.header() + ")");
            }
            testRows = test.rows();
        }
        Side tr = new Side(train, trainRows), te = new Side(test != null ? test : train, testRows);
        // rows without a target teach nothing and score nothing
        int before = tr.rows.size() + te.rows.size();
        tr = tr.withAll(List.of(target));
        te = te.withAll(List.of(target));
        int noTarget = before - tr.rows.size() - te.rows.size();
        if (noTarget > 0) notes.add(noTarget + " row(s) without a '" + target + "' value dropped");

        Map<String, Boolean> numeric = new LinkedHashMap<>();
        for (String c : features) numeric.put(c, isNumeric(c, tr, te));
        Map<String, Integer> missing = new LinkedHashMap<>();
        for (String c : features) {
            int n = tr.countMissing(c) + te.countMissing(c);
            if (n > 0) missing.put(c, n);
        }
        if (!missing.isEmpty()) {
            switch (o.missing()) {
                case "error" -> throw new IllegalArgumentException(train.file() + ": missing values (empty, NA, NaN, ?) per column " + missing
                        + "; pass --missing drop (drop those rows) or --missing impute (numeric: the training mean; text: the most frequent value)");
                case "drop" -> {
                    int b = tr.rows.size() + te.rows.size();
                    tr = tr.withAll(features);
                    te = te.withAll(features);
                    notes.add("missing values per column " + missing + ": " + (b - tr.rows.size() - te.rows.size()) + " row(s) dropped (--missing drop)");
                }
                default -> notes.add("missing values per column " + missing + ": imputed with the training mean or most frequent value (--missing impute)");
            }
        }
        if (tr.rows.isEmpty()) throw new IllegalArgumentException(train.file() + ": no training rows left");
        if (te.rows.isEmpty()) throw new IllegalArgumentException(te.table.file() + ": no test rows left");

        List<Column> columns = new ArrayList<>();
        boolean impute = o.missing().equals("impute");
        for (String c : features) {
            if (numeric.get(c)) {
                double[] ms = meanStd(tr.numbers(c));
                double mean = ms[0], std = ms[1];
                if (!(std > 0)) {
                    notes.add("column '" + c + "' is constant in the training rows; kept with std 1");
                    std = 1;
                }
                columns.add(new Numeric(c, mean, std, impute ? mean : Double.NaN));
            } else {
                Map<String, Integer> counts = tr.counts(c);
                if (counts.size() > 50 && counts.size() > tr.rows.size() / 2) {
                    notes.add("column '" + c + "' has " + counts.size() + " distinct texts in " + tr.rows.size() + " training rows (an identifier?); --drop " + c + " leaves it out");
                }
                String mode = counts.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue().thenComparing(Map.Entry.comparingByKey(Comparator.reverseOrder())))
                        .map(Map.Entry::getKey).orElseThrow();
                columns.add(new Categorical(c, new TreeSet<>(counts.keySet()).stream().toList(), impute ? mode : null));
            }
        }
        Target t = target(target, o.task(), tr, te, notes);
        Preprocessing.Table prep = new Preprocessing.Table(columns, t);
        notes.add(describe(prep));
        ArrayDataset trainData = encode(prep, tr, target, notes, "training"), testData = encode(prep, te, target, notes, "test");
        return new Sources.Loaded(trainData, testData, prep, notes);
    }

    private static List<String> featureColumns(CsvTable train, String target, Options o) {
        for (String d : o.drop()) {
            if (train.column(d) < 0) throw new IllegalArgumentException(train.file() + ": --drop names no column '" + d + "' (columns: " + train.header() + ")");
        }
        List<String> chosen = o.columns() != null ? o.columns() : train.header().stream().filter(c -> !c.equals(target)).toList();
        for (String c : chosen) {
            if (train.column(c) < 0) throw new IllegalArgumentException(train.file() + ": --columns names no column '" + c + "' (columns: " + train.header() + ")");
            if (c.equals(target)) throw new IllegalArgumentException("--columns lists the target '" + target + "' as a feature");
        }
        List<String> f = chosen.stream().filter(c -> !o.drop().contains(c)).toList();
        if (f.isEmpty()) throw new IllegalArgumentException(train.file() + ": no feature columns left besides the target '" + target + "'");
        return f;
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> l = new ArrayList<>(a);
        l.add(b);
        return l;
    }

    /**
     * Numeric when every present cell is a number. A column of mostly numbers with a few texts is an
     * error (a typo in a numeric column, not categories); mostly texts is categorical.
     */
    private static boolean isNumeric(String c, Side tr, Side te) {
        int numbers = 0, texts = 0;
        String firstText = null;
        for (Side s : List.of(tr, te)) {
            int at = s.table.column(c);
            for (CsvTable.Row r : s.rows) {
                String v = r.cells().get(at);
                if (Preprocessing.isMissing(v)) continue;
                if (isNumber(v)) {
                    numbers++;
                } else {
                    if (firstText == null) firstText = s.table.where(r) + " column '" + c + "': '" + v + "'";
                    texts++;
                }
            }
        }
        if (texts == 0) return numbers > 0;
        if (numbers >= 9 * texts) {
            throw new IllegalArgumentException(firstText + " is not a number, but " + numbers + " of the column's " + (numbers + texts)
                    + " values are (mark a missing value as empty or NA, or fix the row)");
        }
        return false;
    }

    static boolean isNumber(String v) {
        try {
            return Double.isFinite(Double.parseDouble(v.trim()));
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static Target target(String target, String task, Side tr, Side te, List<String> notes) {
        Map<String, Integer> counts = tr.counts(target);
        boolean allNumbers = counts.keySet().stream().allMatch(Tables::isNumber);
        boolean integers = allNumbers && counts.keySet().stream().allMatch(v -> Double.parseDouble(v) == Math.rint(Double.parseDouble(v)));
        String chosen = task;
        if (task.equals("auto")) {
            chosen = !allNumbers || (integers && counts.size() <= MAX_INTEGER_CLASSES) ? "classify" : "regress";
            notes.add("task: " + chosen + " (target '" + target + "' " + (!allNumbers ? "holds text"
                    : integers && counts.size() <= MAX_INTEGER_CLASSES ? "has " + counts.size() + " distinct integers (<= " + MAX_INTEGER_CLASSES + ")"
                    : "has " + counts.size() + " distinct numbers") + "; --task classify|regress overrides)");
        }
        if (chosen.equals("regress")) {
            for (Side s : List.of(tr, te)) {
                int at = s.table.column(target);
                for (CsvTable.Row r : s.rows) {
                    String v = r.cells().get(at);
                    if (!isNumber(v)) throw new IllegalArgumentException(s.table.where(r) + " column '" + target + "': '" + v + "' is not a number (regression target)");
                }
            }
            double[] y = tr.numbers(target), ms = meanStd(y);
            if (!(ms[1] > 0)) throw new IllegalArgumentException(tr.table.file() + ": target '" + target + "' has the single value " + y[0] + " in every training row; nothing to learn");
            return new Regression(target, ms[0], ms[1]);
        }
        List<String> names = new ArrayList<>(counts.keySet());
        if (integers) names.sort(Comparator.comparingDouble(Double::parseDouble));
        else names.sort(Comparator.naturalOrder());
        if (names.size() < 2) {
            throw new IllegalArgumentException(tr.table.file() + ": target '" + target + "' has the single class '" + names.getFirst() + "' in the training rows; nothing to learn");
        }
        int testAt = te.table.column(target);
        for (CsvTable.Row r : te.rows) {
            String v = r.cells().get(testAt);
            if (!names.contains(v)) throw new IllegalArgumentException(te.table.where(r) + " column '" + target + "': class '" + v + "' does not occur in the training rows " + names);
        }
        notes.add("classes: " + names.stream().map(n -> n + " " + counts.get(n)).toList() + " training rows each");
        return new Classes(target, names);
    }

    /** Mean and population standard deviation (0 for no values). */
    private static double[] meanStd(double[] v) {
        double mean = java.util.Arrays.stream(v).average().orElse(0), var = 0;
        for (double x : v) var += (x - mean) * (x - mean);
        return new double[] {mean, Math.sqrt(var / Math.max(1, v.length))};
    }

    private static String describe(Preprocessing.Table p) {
        StringBuilder b = new StringBuilder("features: " + p.sampleShape()[0] + " inputs from " + p.columns().size() + " column(s):");
        for (Column c : p.columns()) {
            b.append(' ').append(c.name()).append(c instanceof Categorical k ? "(one-hot " + k.width() + ")" : "(numeric)");
        }
        return b.toString();
    }

    private static ArrayDataset encode(Preprocessing.Table prep, Side s, String target, List<String> notes, String split) {
        int f = prep.sampleShape()[0], n = s.rows.size();
        int[] at = prep.locate(s.table.header(), s.table.file().toString());
        float[] x = new float[n * f], row = new float[f];
        int unseen = 0;
        for (int i = 0; i < n; i++) {
            CsvTable.Row r = s.rows.get(i);
            unseen += prep.encode(r.cells(), at, row, s.table.where(r));
            System.arraycopy(row, 0, x, i * f, f);
        }
        if (unseen > 0) notes.add(split + " rows: " + unseen + " categorical value(s) not seen in training, encoded as all zeros");
        int ti = s.table.column(target);
        return switch (prep.target()) {
            case Classes c -> {
                int[] y = new int[n];
                for (int i = 0; i < n; i++) y[i] = c.names().indexOf(s.rows.get(i).cells().get(ti));
                yield ArrayDataset.labelled(x, new int[] {f}, y, c.names().size());
            }
            case Regression r -> {
                float[] y = new float[n];
                for (int i = 0; i < n; i++) y[i] = (float) ((Double.parseDouble(s.rows.get(i).cells().get(ti)) - r.mean()) / r.std());
                yield ArrayDataset.regression(x, new int[] {f}, y, new int[] {1});
            }
        };
    }

    /** Rows of one split, read through their table's header. */
    private record Side(CsvTable table, List<CsvTable.Row> rows) {
        /** One column's cells in row order; the header is looked up once, not per row. */
        List<String> values(String column) {
            int at = table.column(column);
            return rows.stream().map(r -> r.cells().get(at)).toList();
        }

        /** The rows with a value in every one of these columns. */
        Side withAll(List<String> columns) {
            int[] at = columns.stream().mapToInt(table::column).toArray();
            return new Side(table, rows.stream().filter(r -> java.util.Arrays.stream(at).noneMatch(i -> Preprocessing.isMissing(r.cells().get(i)))).toList());
        }

        int countMissing(String c) { return (int) values(c).stream().filter(Preprocessing::isMissing).count(); }

        double[] numbers(String c) {
            return values(c).stream().filter(v -> !Preprocessing.isMissing(v)).mapToDouble(v -> Double.parseDouble(v.trim())).toArray();
        }

        Map<String, Integer> counts(String c) {
            Map<String, Integer> m = new HashMap<>();
            for (String v : values(c)) if (!Preprocessing.isMissing(v)) m.merge(v.trim(), 1, Integer::sum);
            return m;
        }
    }
}
