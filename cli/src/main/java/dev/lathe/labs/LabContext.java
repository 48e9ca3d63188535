package dev.lathe.labs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a lab writes, the seed it draws everything from, whether to run reduced (fewer runs and
 * steps, for tests; the same code path and the same kind of numbers), and where Fashion-MNIST is.
 */
public record LabContext(Path outDir, long seed, boolean quick, Path dataDir) {
    public LabContext {
        if (outDir == null) throw new IllegalArgumentException("lab: an output directory is required");
    }

    /** Labs that need Fashion-MNIST read it from its Debian package's directory. */
    public LabContext(Path outDir, long seed, boolean quick) { this(outDir, seed, quick, dev.lathe.data.FashionMnist.DEFAULT_DIR); }

    /** The output file for a lab's artifact, creating the directory on first use. */
    public Path file(String labName, String suffix) throws IOException {
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) throw new IOException("lab output " + outDir + " is not a directory");
        Files.createDirectories(outDir);
        return outDir.resolve(labName + "-" + suffix);
    }

    /** The full count at defaults, the reduced one when quick. */
    public int size(int full, int reduced) { return quick ? reduced : full; }
}
