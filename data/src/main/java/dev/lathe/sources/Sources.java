package dev.lathe.sources;

import dev.lathe.data.ArrayDataset;
import dev.lathe.data.Cifar10;
import dev.lathe.data.ImageFolder;
import dev.lathe.data.Preprocessing;
import dev.lathe.data.Split;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * One entry for the engineer's data: {@code --data PATH} names a CSV/TSV table, a folder of class
 * sub-folders of images, a CIFAR-10 binary folder, a .npz archive, or an x.npy (with y.npy beside
 * it). Each comes back as a training and a test split (the given test data, or a seeded fraction)
 * and the {@link Preprocessing} fitted on the training split, applied to both.
 */
public final class Sources {
    private Sources() {}

    /** Training and test splits, standardized/encoded; the preprocessing that did it; lines worth printing. */
    public record Loaded(ArrayDataset train, ArrayDataset test, Preprocessing preprocessing, List<String> notes) {}

    /**
     * What {@code lathe train --data} was given: test data or a test fraction, the seed, the table
     * options, the image size (null: 32x32) and colour.
     */
    public record Options(Path data, Path testData, double testFraction, long seed, Tables.Options table, int[] imageSize, boolean grayscale) {}

    public enum Kind { TABLE, IMAGES, CIFAR10, NPZ, NPY }

    /** What a path holds, by its name and contents; an error says what was expected. */
    public static Kind kind(Path p) throws IOException {
        String name = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(p)) {
            if (Files.isRegularFile(p.resolve("data_batch_1.bin"))) return Kind.CIFAR10;
            if (Files.isRegularFile(p.resolve("x.npy"))) return Kind.NPY;
            return Kind.IMAGES;
        }
        if (!Files.exists(p)) throw new NoSuchFileException(p.toString(), null, "no such data file or folder");
        if (name.endsWith(".npz")) return Kind.NPZ;
        if (name.endsWith(".npy")) return Kind.NPY;
        if (name.endsWith(".csv") || name.endsWith(".tsv") || name.endsWith(".txt")) return Kind.TABLE;
        throw new IllegalArgumentException(p + ": not a data source Lathe reads (a .csv/.tsv table, a folder of class sub-folders of images, a CIFAR-10 folder, .npz, or x.npy + y.npy)");
    }

    public static Loaded load(Options o) throws IOException {
        Kind k = kind(o.data());
        if (o.testData() != null && kind(o.testData()) != k) {
            throw new IllegalArgumentException("--test-data " + o.testData() + " is a " + kind(o.testData()) + " source, --data " + o.data() + " a " + k + " one");
        }
        if (o.imageSize() != null && (k == Kind.TABLE || k == Kind.CIFAR10)) {
            throw new IllegalArgumentException("--image-size applies to image folders; " + o.data() + " is a " + k.name().toLowerCase(Locale.ROOT) + " source");
        }
        return switch (k) {
            case TABLE -> Tables.fit(CsvTable.read(o.data()), o.testData() == null ? null : CsvTable.read(o.testData()), o.testFraction(), o.seed(), o.table());
            case IMAGES -> images(o);
            case CIFAR10 -> cifar(o);
            case NPZ, NPY -> ArraySources.load(o, k);
        };
    }

    private static Loaded images(Options o) throws IOException {
        int[] size = o.imageSize() != null ? o.imageSize() : new int[] {32, 32};
        List<String> notes = new ArrayList<>();
        if (o.imageSize() == null) notes.add("images resized to 32x32 (--image-size HxW)");
        ImageFolder.Loaded all = ImageFolder.load(o.data(), size[0], size[1], o.grayscale());
        ArrayDataset train, test;
        if (o.testData() != null) {
            ImageFolder.Loaded t = ImageFolder.load(o.testData(), size[0], size[1], o.grayscale());
            if (!t.classes().equals(all.classes())) {
                throw new IllegalArgumentException("--test-data " + o.testData() + " has classes " + t.classes() + ", --data " + o.data() + " has " + all.classes());
            }
            train = all.data();
            test = t.data();
        } else {
            Split s = split(all.data(), o, notes);
            train = s.first();
            test = s.second();
        }
        notes.add("classes: " + classCounts(all.classes(), train));
        return standardizedImages(train, test, new Preprocessing.Classes("class", all.classes()), notes);
    }

    private static Loaded cifar(Options o) throws IOException {
        if (o.testData() != null) throw new IllegalArgumentException("--test-data: a CIFAR-10 folder brings its own test_batch.bin");
        Split s = Cifar10.load(o.data());
        List<String> notes = new ArrayList<>(List.of("CIFAR-10: data_batch_1..5.bin for training, test_batch.bin for test"));
        return standardizedImages(s.first(), s.second(), new Preprocessing.Classes("class", Cifar10.CLASSES), notes);
    }

    /** Pixel mean and std of the training split applied to both. */
    static Loaded standardizedImages(ArrayDataset train, ArrayDataset test, Preprocessing.Classes classes, List<String> notes) {
        double[] ms = train.meanStd();
        int[] s = train.sampleShape();
        Preprocessing.Images p = new Preprocessing.Images(s[0], s[1], s[2], ms[0], ms[1], classes);
        notes.add(String.format(Locale.ROOT, "images: %dx%dx%d, standardized with the training pixels' mean %.4f and std %.4f", s[0], s[1], s[2], ms[0], ms[1]));
        return new Loaded(train.normalized(ms[0], ms[1]), test.normalized(ms[0], ms[1]), p, notes);
    }

    /** A seeded held-out test fraction. */
    static Split split(ArrayDataset all, Options o, List<String> notes) {
        if (!(o.testFraction() > 0 && o.testFraction() < 1)) throw new IllegalArgumentException("--test must be in (0, 1) without --test-data, got " + o.testFraction());
        Split s = Split.of(all, o.testFraction(), o.seed());
        if (s.first().size() == 0 || s.second().size() == 0) {
            throw new IllegalArgumentException(o.data() + ": " + all.size() + " samples are too few to hold out a test fraction of " + o.testFraction());
        }
        notes.add(String.format(Locale.ROOT, "test split: %d of %d samples (--test %s, seed %d)", s.second().size(), all.size(), o.testFraction(), o.seed()));
        return s;
    }

    static String classCounts(List<String> names, ArrayDataset d) {
        int[] n = new int[names.size()];
        for (int i = 0; i < d.size(); i++) n[d.label(i)]++;
        List<String> parts = new ArrayList<>();
        for (int c = 0; c < n.length; c++) parts.add(names.get(c) + " " + n[c]);
        return parts + " training samples each";
    }

    /** Sub-folder names of an image folder, for error messages and inspection. */
    static List<String> subfolders(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Label values as class names: sorted numerically. */
    static List<String> integerNames(double[] y) {
        TreeSet<Double> set = new TreeSet<>();
        for (double v : y) set.add(v);
        return set.stream().map(v -> v == Math.rint(v) ? Long.toString(v.longValue()) : Double.toString(v)).toList();
    }

}
