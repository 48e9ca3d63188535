package dev.lathe.sources;

import dev.lathe.data.ImageFolder;
import dev.lathe.data.Npy;
import dev.lathe.data.Preprocessing;
import dev.lathe.io.AtomicFiles;
import dev.lathe.tensor.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * {@code lathe data inspect PATH}: what a data source holds before training on it — a table's rows,
 * columns with their inferred types, ranges, missing values and the last column's balance; an image
 * folder's classes and counts (and a PNG grid of examples per class); arrays' shapes and label balance.
 */
public final class Inspect {
    private Inspect() {}

    /** Lines to print; {@code grid} (may be null) receives a PNG of example images for an image folder. */
    public static List<String> describe(Path data, Path grid) throws IOException {
        return switch (Sources.kind(data)) {
            case TABLE -> table(CsvTable.read(data));
            case IMAGES -> images(data, grid);
            case CIFAR10 -> List.of(data + ": CIFAR-10 binary batches (5 x 10,000 training, 10,000 test images, 3x32x32, 10 classes)");
            case NPZ -> arrays(data, Npy.readNpz(data));
            case NPY -> {
                Path x = ArraySources.samples(data), y = ArraySources.labelsBeside(x);
                Map<String, Tensor> m = new LinkedHashMap<>();
                m.put(x.getFileName().toString(), Npy.read(x));
                if (Files.isRegularFile(y)) m.put(y.getFileName().toString(), Npy.read(y));
                yield arrays(data, m);
            }
        };
    }

    private static List<String> table(CsvTable t) {
        List<String> out = new ArrayList<>();
        out.add(String.format(Locale.ROOT, "%s: %,d rows, %d columns", t.file(), t.rows().size(), t.header().size()));
        out.add(String.format(Locale.ROOT, "  %-24s %-8s %8s  %s", "column", "type", "missing", "values"));
        for (int c = 0; c < t.header().size(); c++) {
            int missing = 0, numbers = 0;
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY, sum = 0;
            Map<String, Integer> counts = new LinkedHashMap<>();
            for (CsvTable.Row r : t.rows()) {
                String v = r.cells().get(c);
                if (Preprocessing.isMissing(v)) {
                    missing++;
                    continue;
                }
                counts.merge(v, 1, Integer::sum);
                if (Tables.isNumber(v)) {
                    double d = Double.parseDouble(v);
                    numbers++;
                    min = Math.min(min, d);
                    max = Math.max(max, d);
                    sum += d;
                }
            }
            int present = t.rows().size() - missing;
            boolean numeric = present > 0 && numbers == present;
            String values = numeric
                    ? String.format(Locale.ROOT, "min %.4g  max %.4g  mean %.4g  %d distinct", min, max, sum / numbers, counts.size())
                    : counts.size() + " distinct: " + top(counts, 6) + (numbers > 0 ? "  (" + numbers + " look numeric)" : "");
            out.add(String.format(Locale.ROOT, "  %-24s %-8s %8d  %s", t.header().get(c), numeric ? "numeric" : "text", missing, values));
        }
        String target = t.header().getLast();
        Map<String, Integer> balance = new LinkedHashMap<>();
        for (CsvTable.Row r : t.rows()) if (!Preprocessing.isMissing(r.cells().getLast())) balance.merge(r.cells().getLast(), 1, Integer::sum);
        if (balance.size() <= Tables.MAX_INTEGER_CLASSES) out.add("target (last column, --target to choose) '" + target + "': " + top(balance, Tables.MAX_INTEGER_CLASSES));
        return out;
    }

    private static String top(Map<String, Integer> counts, int n) {
        List<String> parts = counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(n).map(e -> e.getKey() + " " + e.getValue()).toList();
        return String.join(", ", parts) + (counts.size() > n ? ", ..." : "");
    }

    private static List<String> images(Path root, Path grid) throws IOException {
        List<String> out = new ArrayList<>();
        List<String> classes = Sources.subfolders(root);
        if (classes.isEmpty()) throw new IOException(root + ": no class sub-folders (expected root/CLASS/IMAGE)");
        Map<String, List<Path>> files = new LinkedHashMap<>();
        int total = 0;
        for (String c : classes) {
            try (Stream<Path> s = Files.list(root.resolve(c))) {
                files.put(c, s.filter(Files::isRegularFile).filter(ImageFolder::isImageFile).sorted().toList());
            }
            total += files.get(c).size();
        }
        out.add(String.format(Locale.ROOT, "%s: %,d images in %d classes", root, total, classes.size()));
        for (String c : classes) {
            List<Path> f = files.get(c);
            String size = "";
            if (!f.isEmpty()) {
                BufferedImage first = ImageIO.read(f.getFirst().toFile());
                size = first == null ? "  (first image unreadable: " + f.getFirst().getFileName() + ")" : "  first " + first.getWidth() + "x" + first.getHeight();
            }
            out.add(String.format(Locale.ROOT, "  %-24s %6d images%s", c, f.size(), f.isEmpty() ? "  EMPTY (training stops on it)" : size));
        }
        if (grid != null) {
            writeGrid(files, grid);
            out.add("examples per class (a row each): " + grid);
        }
        return out;
    }

    /** Up to 8 images per class, 48x48 each, one row per class. */
    private static void writeGrid(Map<String, List<Path>> files, Path grid) throws IOException {
        int cell = 48, cols = 8;
        BufferedImage img = new BufferedImage(cols * cell, files.size() * cell, BufferedImage.TYPE_INT_RGB);
        int row = 0;
        for (List<Path> f : files.values()) {
            for (int k = 0; k < Math.min(cols, f.size()); k++) {
                float[] px = ImageFolder.pixels(f.get(k), cell, cell, false);
                for (int i = 0; i < cell; i++) {
                    for (int j = 0; j < cell; j++) {
                        int r = Math.round(px[i * cell + j] * 255), g = Math.round(px[(cell + i) * cell + j] * 255), b = Math.round(px[(2 * cell + i) * cell + j] * 255);
                        img.setRGB(k * cell + j, row * cell + i, (r << 16) | (g << 8) | b);
                    }
                }
            }
            row++;
        }
        AtomicFiles.write(grid, os -> ImageIO.write(img, "png", os));
    }

    private static List<String> arrays(Path data, Map<String, Tensor> arrays) {
        List<String> out = new ArrayList<>(List.of(data + ": " + arrays.size() + " array(s)"));
        for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
            Tensor t = e.getValue();
            double[] v = t.toDoubleArray();
            double min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
            for (double d : v) {
                min = Math.min(min, d);
                max = Math.max(max, d);
            }
            String line = String.format(Locale.ROOT, "  %-12s shape %s  min %.4g  max %.4g", e.getKey(), java.util.Arrays.toString(t.shape()), min, max);
            if (e.getKey().startsWith("y") && t.shape().length == 1) {
                Map<String, Integer> balance = new java.util.TreeMap<>();
                for (double d : v) balance.merge(d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d), 1, Integer::sum);
                if (balance.size() <= Tables.MAX_INTEGER_CLASSES) line += "  classes: " + top(balance, Tables.MAX_INTEGER_CLASSES);
            }
            out.add(line);
        }
        return out;
    }
}
