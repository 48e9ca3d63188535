package dev.lathe.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST (Zalando): 60,000 training and 10,000 test images, 28x28 grey, 10 classes.
 * Reads the four IDX files (gzip or raw) from a directory, by default the one Debian's
 * {@code dataset-fashion-mnist} package installs. Pixels become floats in [0, 1], shape [1, 28, 28].
 */
public final class FashionMnist {
    private FashionMnist() {}

    public static final Path DEFAULT_DIR = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    /** Training and test sets, as {@code Split(train, test)}. */
    public static Split load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new java.nio.file.NoSuchFileException(dir.toString(), null,
                    "Fashion-MNIST directory not found; install it with 'sudo apt-get install dataset-fashion-mnist' "
                            + "or point --data at a directory holding train-images-idx3-ubyte(.gz) and the other three IDX files");
        }
        return new Split(read(dir, "train"), read(dir, "t10k"));
    }

    private static ArrayDataset read(Path dir, String prefix) throws IOException {
        Idx.Array images = Idx.read(find(dir, prefix + "-images-idx3-ubyte"));
        Idx.Array labels = Idx.read(find(dir, prefix + "-labels-idx1-ubyte"));
        if (images.dims().length != 3) throw new IOException(prefix + " images: expected 3 dimensions [n, rows, cols], got " + images.dims().length);
        if (labels.dims().length != 1) throw new IOException(prefix + " labels: expected 1 dimension [n], got " + labels.dims().length);
        if (images.count() != labels.count()) {
            throw new IOException(prefix + ": " + images.count() + " images but " + labels.count() + " labels in " + dir);
        }
        int rows = images.dims()[1], cols = images.dims()[2];
        byte[] px = images.data();
        float[] x = new float[px.length];
        for (int i = 0; i < px.length; i++) x[i] = (px[i] & 0xff) / 255f;
        int[] y = new int[labels.count()];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels.data()[i] & 0xff;
            if (y[i] >= CLASSES.size()) throw new IOException(prefix + " labels: label " + y[i] + " at index " + i + " is not a Fashion-MNIST class (0-9)");
        }
        return ArrayDataset.labelled(x, new int[] {1, rows, cols}, y, CLASSES.size());
    }

    private static Path find(Path dir, String base) throws IOException {
        for (String name : new String[] {base + ".gz", base}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        throw new java.nio.file.NoSuchFileException(dir.resolve(base + ".gz").toString(), null,
                "Fashion-MNIST file missing (looked for " + base + ".gz and " + base + "); reinstall with 'sudo apt-get install --reinstall dataset-fashion-mnist'");
    }
}
