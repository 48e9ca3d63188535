package dev.lathe.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * CIFAR-10 in its binary format: records of 1 label byte (0-9) and 3,072 pixel bytes (1,024 red,
 * then green, then blue, row-major 32x32). Samples become [3, 32, 32] floats in [0, 1] (NCHW).
 * The standard files are data_batch_1.bin ... data_batch_5.bin and test_batch.bin.
 */
public final class Cifar10 {
    private Cifar10() {}

    public static final int RECORD = 1 + 3 * 32 * 32;
    public static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

    /** Training batches 1-5 (those present, at least one) and test_batch.bin, as Split(train, test). */
    public static Split load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) throw new NoSuchFileException(dir.toString(), null, "CIFAR-10 directory not found (expected data_batch_1.bin ... and test_batch.bin)");
        java.util.List<Path> train = new java.util.ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            Path p = dir.resolve("data_batch_" + i + ".bin");
            if (Files.isRegularFile(p)) train.add(p);
        }
        if (train.isEmpty()) throw new NoSuchFileException(dir.resolve("data_batch_1.bin").toString(), null, "no CIFAR-10 training batch found");
        return new Split(read(train.toArray(Path[]::new)), read(dir.resolve("test_batch.bin")));
    }

    /** Reads and concatenates record files; every record is checked. */
    public static ArrayDataset read(Path... files) throws IOException {
        long total = 0;
        for (Path f : files) {
            if (!Files.isRegularFile(f)) throw new NoSuchFileException(f.toString(), null, "CIFAR-10 file not found");
            long size = Files.size(f);
            if (size == 0 || size % RECORD != 0) {
                throw new IOException(f + ": corrupt CIFAR-10 file: " + size + " bytes is not a whole number of " + RECORD
                        + "-byte records (record " + size / RECORD + " is truncated to " + size % RECORD + " bytes)");
            }
            total += size / RECORD;
        }
        if (total * 3072 > Integer.MAX_VALUE) throw new IOException("CIFAR-10: " + total + " records are too many for one dataset");
        float[] x = new float[(int) total * 3072];
        int[] y = new int[(int) total];
        int at = 0;
        for (Path f : files) {
            byte[] b = Files.readAllBytes(f);
            for (int r = 0; r < b.length / RECORD; r++, at++) {
                int off = r * RECORD, label = b[off] & 0xff;
                if (label > 9) throw new IOException(f + ": corrupt CIFAR-10 record " + r + ": label " + label + " is not a class (0-9)");
                y[at] = label;
                for (int i = 0; i < 3072; i++) x[at * 3072 + i] = (b[off + 1 + i] & 0xff) / 255f;
            }
        }
        return ArrayDataset.labelled(x, new int[] {3, 32, 32}, y, 10);
    }
}
