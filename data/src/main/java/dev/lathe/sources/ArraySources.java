package dev.lathe.sources;

import dev.lathe.data.ArrayDataset;
import dev.lathe.data.Npy;
import dev.lathe.data.Preprocessing;
import dev.lathe.data.Split;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * NumPy arrays as training data: a .npz with {@code x} and {@code y} (or {@code x_train}, {@code
 * y_train}, {@code x_test}, {@code y_test}), or x.npy with y.npy beside it. x is [N, features],
 * [N, H, W] (one channel), [N, C, H, W] or [N, H, W, C] with C of 1 or 3 (transposed, and said);
 * y is [N] or [N, 1]: classes or a regression target as {@link Tables} decides for a column.
 */
final class ArraySources {
    private ArraySources() {}

    /** x and y of one split, and where they came from (for errors). */
    private record Pair(Tensor x, Tensor y, String source) {}

    static Sources.Loaded load(Sources.Options o, Sources.Kind kind) throws IOException {
        List<String> notes = new ArrayList<>();
        Pair train, test = null;
        if (kind == Sources.Kind.NPZ) {
            Map<String, Tensor> a = Npy.readNpz(o.data());
            if (a.containsKey("x_train")) {
                train = new Pair(need(a, "x_train", o.data()), need(a, "y_train", o.data()), o.data() + " (x_train, y_train)");
                if (a.containsKey("x_test")) test = new Pair(need(a, "x_test", o.data()), need(a, "y_test", o.data()), o.data() + " (x_test, y_test)");
            } else {
                train = new Pair(need(a, "x", o.data()), need(a, "y", o.data()), o.data().toString());
            }
            if (o.testData() != null) {
                if (test != null) throw new IllegalArgumentException("--test-data: " + o.data() + " already holds x_test and y_test");
                Map<String, Tensor> t = Npy.readNpz(o.testData());
                test = new Pair(need(t, "x", o.testData()), need(t, "y", o.testData()), o.testData().toString());
            }
        } else {
            train = npyPair(o.data());
            if (o.testData() != null) test = npyPair(o.testData());
        }
        float[] xs = layout(train, notes);
        int n = train.x().shape()[0];
        int[] sample = sampleShape(train.x());
        double[] y = labels(train, n);
        float[] testX = null;
        double[] testY = null;
        if (test != null) {
            testX = layout(test, new ArrayList<>());
            if (!Arrays.equals(sampleShape(test.x()), sample)) {
                throw new IllegalArgumentException(test.source() + ": samples of shape " + Arrays.toString(sampleShape(test.x())) + ", the training data's are " + Arrays.toString(sample));
            }
            testY = labels(test, test.x().shape()[0]);
        }
        String task = o.table() == null ? "auto" : o.table().task();
        boolean integers = Arrays.stream(y).allMatch(v -> v == Math.rint(v));
        long distinct = Arrays.stream(y).distinct().count();
        boolean classify = task.equals("classify") || (task.equals("auto") && integers && distinct <= Tables.MAX_INTEGER_CLASSES);
        if (task.equals("auto")) {
            notes.add("task: " + (classify ? "classify" : "regress") + " (y has " + distinct + (integers ? " distinct integers" : " distinct values") + "; --task overrides)");
        }
        Preprocessing.Target target;
        ArrayDataset all, testSet = null;
        if (classify) {
            List<String> names = Sources.integerNames(y);
            if (names.size() < 2) throw new IllegalArgumentException(train.source() + ": y has the single class " + names + "; nothing to learn");
            target = new Preprocessing.Classes("y", names);
            all = ArrayDataset.labelled(xs, sample, classIndex(y, names, train.source()), names.size());
            if (test != null) testSet = ArrayDataset.labelled(testX, sample, classIndex(testY, names, test.source()), names.size());
        } else {
            all = ArrayDataset.regression(xs, sample, toFloat(y), new int[] {1});
            if (test != null) testSet = ArrayDataset.regression(testX, sample, toFloat(testY), new int[] {1});
            target = null;
        }
        ArrayDataset trainSet = all;
        if (testSet == null) {
            Split s = Sources.split(all, o, notes);
            trainSet = s.first();
            testSet = s.second();
        }
        if (!classify) {
            float[] t = new float[trainSet.size()];
            for (int i = 0; i < t.length; i++) trainSet.copyTarget(i, t, i);
            double mean = 0, var = 0;
            for (float v : t) mean += v;
            mean /= t.length;
            for (float v : t) var += (v - mean) * (v - mean);
            double std = Math.sqrt(var / t.length);
            if (!(std > 0)) throw new IllegalArgumentException(train.source() + ": y has one value in every training sample; nothing to learn");
            target = new Preprocessing.Regression("y", mean, std);
            trainSet = scaledTargets(trainSet, mean, std);
            testSet = scaledTargets(testSet, mean, std);
        } else {
            notes.add("classes: " + Sources.classCounts(((Preprocessing.Classes) target).names(), trainSet));
        }
        return standardized(trainSet, testSet, sample, target, notes);
    }

    /** Per-feature statistics for [features] samples, one overall mean and std otherwise. */
    private static Sources.Loaded standardized(ArrayDataset train, ArrayDataset test, int[] sample, Preprocessing.Target target, List<String> notes) {
        int size = Arrays.stream(sample).reduce(1, (a, b) -> a * b), n = train.size();
        double[] mean, std;
        if (sample.length == 1) {
            mean = new double[size];
            std = new double[size];
            float[] row = new float[size];
            for (int i = 0; i < n; i++) {
                train.copySample(i, row, 0);
                for (int f = 0; f < size; f++) mean[f] += row[f];
            }
            for (int f = 0; f < size; f++) mean[f] /= n;
            for (int i = 0; i < n; i++) {
                train.copySample(i, row, 0);
                for (int f = 0; f < size; f++) std[f] += (row[f] - mean[f]) * (row[f] - mean[f]);
            }
            for (int f = 0; f < size; f++) std[f] = std[f] > 0 ? Math.sqrt(std[f] / n) : 1;
            notes.add("features: " + size + " per sample, each standardized with the training split's mean and std");
        } else {
            double[] ms = train.meanStd();
            mean = new double[] {ms[0]};
            std = new double[] {ms[1] > 0 ? ms[1] : 1};
            notes.add(String.format(Locale.ROOT, "samples %s, standardized with the training values' mean %.4g and std %.4g", Arrays.toString(sample), mean[0], std[0]));
        }
        Preprocessing.Arrays p = new Preprocessing.Arrays(sample, mean, std, target);
        return new Sources.Loaded(apply(train, p), apply(test, p), p, notes);
    }

    private static ArrayDataset apply(ArrayDataset d, Preprocessing.Arrays p) {
        int size = d.sampleSize();
        float[] x = new float[d.size() * size], raw = new float[size], out = new float[size];
        for (int i = 0; i < d.size(); i++) {
            d.copySample(i, raw, 0);
            p.standardize(raw, out);
            System.arraycopy(out, 0, x, i * size, size);
        }
        if (d.isLabelled()) {
            int[] y = new int[d.size()];
            for (int i = 0; i < y.length; i++) y[i] = d.label(i);
            return ArrayDataset.labelled(x, d.sampleShape(), y, d.classes());
        }
        float[] t = new float[d.size()];
        for (int i = 0; i < t.length; i++) d.copyTarget(i, t, i);
        return ArrayDataset.regression(x, d.sampleShape(), t, new int[] {1});
    }

    private static ArrayDataset scaledTargets(ArrayDataset d, double mean, double std) {
        float[] x = new float[d.size() * d.sampleSize()], t = new float[d.size()];
        for (int i = 0; i < d.size(); i++) {
            d.copySample(i, x, i * d.sampleSize());
            d.copyTarget(i, t, i);
            t[i] = (float) ((t[i] - mean) / std);
        }
        return ArrayDataset.regression(x, d.sampleShape(), t, new int[] {1});
    }

    private static Tensor need(Map<String, Tensor> a, String key, Path file) {
        Tensor t = a.get(key);
        if (t == null) {
            throw new IllegalArgumentException(file + ": no array '" + key + "' (has " + a.keySet() + "; expected x and y, or x_train, y_train[, x_test, y_test])");
        }
        return t;
    }

    /** x.npy and the y.npy beside it (x_train.npy and y_train.npy likewise), or a folder holding x.npy and y.npy. */
    private static Pair npyPair(Path p) throws IOException {
        Path x = samples(p);
        if (!x.getFileName().toString().startsWith("x")) throw new IllegalArgumentException(p + ": name the samples x.npy (or x_SOMETHING.npy) and put the labels in y.npy beside it");
        Path y = labelsBeside(x);
        if (!Files.isRegularFile(y)) throw new NoSuchFileException(y.toString(), null, "the labels for " + x + " (expected beside it)");
        return new Pair(Npy.read(x), Npy.read(y), x + " + " + y.getFileName());
    }

    /** The samples' file a --data path names: the path itself, or x.npy in a folder. */
    static Path samples(Path p) { return Files.isDirectory(p) ? p.resolve("x.npy") : p; }

    /** Where the labels of x.npy (x_train.npy, ...) are: y.npy (y_train.npy, ...) beside it. */
    static Path labelsBeside(Path x) { return x.resolveSibling("y" + x.getFileName().toString().substring(1)); }

    private static int[] sampleShape(Tensor x) {
        int[] s = x.shape();
        return switch (s.length) {
            case 2 -> new int[] {s[1]};
            case 3 -> new int[] {1, s[1], s[2]};
            case 4 -> channelsLast(s) ? new int[] {s[3], s[1], s[2]} : Arrays.copyOfRange(s, 1, 4);
            default -> throw new IllegalArgumentException("x has shape " + Arrays.toString(s) + "; expected [N, features], [N, H, W], [N, C, H, W] or [N, H, W, C]");
        };
    }

    private static boolean channelsLast(int[] s) { return (s[3] == 1 || s[3] == 3) && s[1] != 1 && s[1] != 3; }

    /** x as float [N, sample] in channels-first order. */
    private static float[] layout(Pair p, List<String> notes) {
        int[] s = p.x().shape();
        if (s.length < 2 || s.length > 4) {
            throw new IllegalArgumentException(p.source() + ": x has shape " + Arrays.toString(s) + "; expected [N, features], [N, H, W], [N, C, H, W] or [N, H, W, C]");
        }
        if (s[0] == 0) throw new IllegalArgumentException(p.source() + ": x holds no samples");
        float[] v = p.x().to(dev.lathe.tensor.DType.FLOAT32).toFloatArray();
        if (s.length == 4 && channelsLast(s)) {
            notes.add("x is [N, H, W, C] = " + Arrays.toString(s) + ": transposed to [N, C, H, W]");
            float[] t = new float[v.length];
            int hw = s[1] * s[2], c = s[3];
            for (int i = 0; i < s[0]; i++)
                for (int q = 0; q < hw; q++)
                    for (int k = 0; k < c; k++) t[(i * c + k) * hw + q] = v[(i * hw + q) * c + k];
            return t;
        }
        return v;
    }

    private static double[] labels(Pair p, int n) {
        int[] s = p.y().shape();
        if (!(s.length == 1 || (s.length == 2 && s[1] == 1))) {
            throw new IllegalArgumentException(p.source() + ": y has shape " + Arrays.toString(s) + "; expected [N] or [N, 1] labels or targets");
        }
        if (s[0] != n) throw new IllegalArgumentException(p.source() + ": x has " + n + " samples but y has " + s[0]);
        double[] y = p.y().toDoubleArray();
        for (int i = 0; i < y.length; i++) {
            if (!Double.isFinite(y[i])) throw new IllegalArgumentException(p.source() + ": y[" + i + "] is " + y[i]);
        }
        return y;
    }

    private static int[] classIndex(double[] y, List<String> names, String source) {
        List<Double> values = names.stream().map(Double::parseDouble).toList();
        int[] l = new int[y.length];
        for (int i = 0; i < y.length; i++) {
            l[i] = values.indexOf(y[i]);
            if (l[i] < 0) throw new IllegalArgumentException(source + ": y[" + i + "] = " + y[i] + " is not a class of the training data " + names);
        }
        return l;
    }

    private static float[] toFloat(double[] y) {
        float[] f = new float[y.length];
        for (int i = 0; i < y.length; i++) f[i] = (float) y[i];
        return f;
    }
}
