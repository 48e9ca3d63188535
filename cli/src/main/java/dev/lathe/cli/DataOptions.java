package dev.lathe.cli;

import dev.lathe.sources.Sources;
import dev.lathe.sources.Tables;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * How {@code --data PATH} is read when it is the engineer's own data rather than Fashion-MNIST: the
 * test split, the table's target and columns, missing values, the image size. Stored in the
 * checkpoint ({@code data_*} settings), so prune, quantize and resume read the data the same way.
 */
final class DataOptions {
    @Option(names = "--test-data", paramLabel = "PATH", description = "Test data of the same kind as --data; without it a seeded --test fraction of --data is held out.")
    Path testData;

    @Option(names = "--test", defaultValue = "0.2", paramLabel = "FRACTION", description = "Fraction of --data held out for test when there is no --test-data (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--target", paramLabel = "COLUMN", description = "The column to predict in a table (default: the last column).")
    String target;

    @Option(names = "--task", defaultValue = "auto", description = "classify, regress, or auto: classify when the target holds text or at most "
            + Tables.MAX_INTEGER_CLASSES + " distinct integers (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--columns", split = ",", paramLabel = "COLUMN", description = "Feature columns of a table (default: all but the target).")
    List<String> columns;

    @Option(names = "--drop", split = ",", paramLabel = "COLUMN", description = "Columns of a table to leave out (ids, leaks).")
    List<String> drop;

    @Option(names = "--missing", defaultValue = "error", description = "Missing values (empty, NA, NaN, ?) in a table: error (count them and stop), drop (the rows), "
            + "impute (numeric: the training mean; text: the most frequent value) (default: ${DEFAULT-VALUE}).")
    String missing;

    @Option(names = "--image-size", paramLabel = "HxW", description = "Size images of a folder are resized to (default: 32x32).")
    String imageSize;

    @Option(names = "--grayscale", description = "Read a folder's images as one channel (luma) instead of RGB.")
    boolean grayscale;

    /** The sources' options for a --data path and seed. */
    Sources.Options sources(Path data, long seed) {
        return new Sources.Options(data, testData, testFraction, seed, new Tables.Options(target, task, columns, drop, missing), size(), grayscale);
    }

    int[] size() {
        if (imageSize == null) return null;
        String[] p = imageSize.toLowerCase(java.util.Locale.ROOT).split("x");
        try {
            if (p.length != 2) throw new NumberFormatException();
            int h = Integer.parseInt(p[0].trim()), w = Integer.parseInt(p[1].trim());
            if (h < 4 || w < 4 || h > 4096 || w > 4096) throw new NumberFormatException();
            return new int[] {h, w};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--image-size must be HxW with sides from 4 to 4096, e.g. 64x64; got '" + imageSize + "'");
        }
    }

    /** The training data's path as the checkpoint recorded it (null for Fashion-MNIST checkpoints): prune, quantize and export use it when not given --data. */
    Path trainedOn;

    void putSpec(Map<String, String> m, Path data) {
        m.put("data_path", data.toAbsolutePath().toString());
        if (testData != null) m.put("data_test_path", testData.toAbsolutePath().toString());
        m.put("data_test", Double.toString(testFraction));
        if (target != null) m.put("data_target", target);
        m.put("data_task", task);
        if (columns != null) m.put("data_columns", String.join(",", columns));
        if (drop != null) m.put("data_drop", String.join(",", drop));
        m.put("data_missing", missing);
        if (imageSize != null) m.put("data_image_size", imageSize);
        m.put("data_grayscale", Boolean.toString(grayscale));
    }

    void applySpec(Map<String, String> m) {
        if (!m.containsKey("data_task")) return;  // a Fashion-MNIST checkpoint
        trainedOn = m.containsKey("data_path") ? Path.of(m.get("data_path")) : null;
        if (testData == null && m.containsKey("data_test_path")) testData = Path.of(m.get("data_test_path"));
        testFraction = Double.parseDouble(m.getOrDefault("data_test", "0.2"));
        target = m.get("data_target");
        task = m.get("data_task");
        columns = m.containsKey("data_columns") ? Arrays.asList(m.get("data_columns").split(",")) : null;
        drop = m.containsKey("data_drop") ? Arrays.asList(m.get("data_drop").split(",")) : null;
        missing = m.getOrDefault("data_missing", "error");
        imageSize = m.get("data_image_size");
        grayscale = Boolean.parseBoolean(m.getOrDefault("data_grayscale", "false"));
    }
}
