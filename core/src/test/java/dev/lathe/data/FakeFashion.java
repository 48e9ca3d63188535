package dev.lathe.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Test fixture: IDX files and a small Fashion-MNIST-shaped directory (shared with the CLI tests via the test jar). */
public final class FakeFashion {
    private FakeFashion() {}

    /** An IDX file of unsigned bytes: 00 00 08 rank, dims, data. */
    public static byte[] idx(int[] dims, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + data.length);
        b.put((byte) 0).put((byte) 0).put((byte) 8).put((byte) dims.length);
        for (int d : dims) b.putInt(d);
        b.put(data);
        return b.array();
    }

    public static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream g = new GZIPOutputStream(bos)) {
            g.write(raw);
        }
        return bos.toByteArray();
    }

    /** Writes a tiny Fashion-MNIST-shaped directory: n images of 28x28 whose pixels encode the label. */
    public static Path write(Path dir, int nTrain, int nTest) throws IOException {
        for (String prefix : new String[] {"train", "t10k"}) {
            int n = prefix.equals("train") ? nTrain : nTest;
            byte[] px = new byte[n * 784], lb = new byte[n];
            for (int i = 0; i < n; i++) {
                lb[i] = (byte) (i % 10);
                // a class-specific bright band plus a little position noise: learnable, not trivial
                for (int p = 0; p < 784; p++) px[i * 784 + p] = (byte) ((p / 78 == i % 10 ? 200 : 20) + (i * 7 + p) % 30);
            }
            Files.write(dir.resolve(prefix + "-images-idx3-ubyte.gz"), gzip(idx(new int[] {n, 28, 28}, px)));
            Files.write(dir.resolve(prefix + "-labels-idx1-ubyte.gz"), gzip(idx(new int[] {n}, lb)));
        }
        return dir;
    }

}
