package dev.lathe.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Reader for the IDX format of MNIST and Fashion-MNIST, raw or gzip-compressed (detected from the
 * first bytes). Only unsigned-byte data (type 0x08) is accepted, which is what those sets use.
 * Header: two zero bytes, the type byte, the number of dimensions, then each dimension as a
 * big-endian int32.
 */
public final class Idx {
    private Idx() {}

    /** Dimensions and raw unsigned bytes of one IDX file. */
    public record Array(int[] dims, byte[] data) {
        public int count() { return dims.length == 0 ? 0 : dims[0]; }
    }

    public static Array read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "IDX file not found");
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            raw.mark(2);
            int b0 = raw.read(), b1 = raw.read();
            raw.reset();
            boolean gzip = b0 == 0x1f && b1 == 0x8b;
            try (DataInputStream in = new DataInputStream(gzip ? new GZIPInputStream(raw, 1 << 16) : raw)) {
                return parse(file, in);
            } catch (java.util.zip.ZipException e) {
                throw new IOException(file + ": corrupt gzip data (" + e.getMessage() + ")", e);
            }
        }
    }

    private static Array parse(Path file, DataInputStream in) throws IOException {
        byte[] magic = new byte[4];
        try {
            in.readFully(magic);
        } catch (EOFException e) {
            throw new IOException(file + ": truncated: shorter than the 4-byte IDX magic number", e);
        }
        if (magic[0] != 0 || magic[1] != 0) {
            throw new IOException(file + ": not an IDX file: magic number " + hex(magic) + " should start with 00 00");
        }
        if (magic[2] != 0x08) {
            throw new IOException(file + ": IDX data type 0x" + String.format("%02x", magic[2] & 0xff) + " is not supported; expected 0x08 (unsigned byte)");
        }
        int rank = magic[3] & 0xff;
        if (rank < 1 || rank > 4) throw new IOException(file + ": IDX header declares " + rank + " dimensions; expected 1 to 4");
        int[] dims = new int[rank];
        long total = 1;
        try {
            for (int i = 0; i < rank; i++) {
                dims[i] = in.readInt();
                if (dims[i] < 0) throw new IOException(file + ": IDX dimension " + i + " is negative (" + dims[i] + ")");
                total *= dims[i];
                // checked per dimension: four 31-bit sizes overflow a long (found by LoaderFuzzTest)
                if (total > Integer.MAX_VALUE - 16) throw new IOException(file + ": IDX dimensions " + Arrays.toString(Arrays.copyOf(dims, i + 1)) + "... are too large");
            }
        } catch (EOFException e) {
            throw new IOException(file + ": truncated inside the IDX header (" + rank + " dimensions declared)", e);
        }
        if (total > Integer.MAX_VALUE - 16) throw new IOException(file + ": IDX dimensions " + Arrays.toString(dims) + " are too large");
        // read as the bytes arrive rather than allocating what the header claims: a 20-byte file may declare 2 GB
        byte[] data = in.readNBytes((int) total);
        if (data.length != total) {
            throw new IOException(file + ": truncated: header " + Arrays.toString(dims) + " needs " + total + " data bytes, file has " + data.length);
        }
        if (in.read() != -1) throw new IOException(file + ": " + "unexpected bytes after the " + total + " data bytes the header " + Arrays.toString(dims) + " declares");
        return new Array(dims, data);
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) s.append(String.format("%02x ", x & 0xff));
        return s.toString().trim();
    }
}
