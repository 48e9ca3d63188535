package dev.lathe.cli;

import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads NumPy .npy arrays (format 1.0-3.0, little-endian float32, float64 or int64, C order) as tensors. */
final class Npy {
    private Npy() {}

    static Tensor read(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        if (b.remaining() < 10) throw new IOException(file + ": too short for a .npy file");
        b.get(magic);
        if (magic[0] != (byte) 0x93 || !new String(magic, 1, 5, StandardCharsets.US_ASCII).equals("NUMPY")) throw new IOException(file + ": not a .npy file (bad magic)");
        int major = b.get();
        b.get();
        int headerLen = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
        if (headerLen < 0 || headerLen > b.remaining()) throw new IOException(file + ": header length " + headerLen + " does not fit the file");
        byte[] h = new byte[headerLen];
        b.get(h);
        String header = new String(h, StandardCharsets.ISO_8859_1);
        String descr = field(header, "descr", "'([^']*)'", file);
        if (field(header, "fortran_order", "(True|False)", file).equals("True")) throw new IOException(file + ": Fortran-order arrays are not supported");
        String shapeText = field(header, "shape", "\\(([^)]*)\\)", file).trim();
        int[] shape = shapeText.isEmpty() ? new int[0]
                : java.util.Arrays.stream(shapeText.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        long n = 1;
        for (int d : shape) n *= d;
        int width = switch (descr) {
            case "<f4" -> 4;
            case "<f8", "<i8" -> 8;
            default -> throw new IOException(file + ": dtype " + descr + " is not supported (<f4, <f8, <i8)");
        };
        if (b.remaining() != n * width) throw new IOException(file + ": data has " + b.remaining() + " bytes, shape " + shapeText + " of " + descr + " needs " + n * width);
        if (descr.equals("<f4")) {
            float[] v = new float[(int) n];
            b.asFloatBuffer().get(v);
            return Tensor.of(v, shape);
        }
        double[] v = new double[(int) n];
        if (descr.equals("<f8")) b.asDoubleBuffer().get(v);
        else for (int i = 0; i < n; i++) v[i] = b.getLong();
        return Tensor.of(v, shape);
    }

    private static String field(String header, String key, String valuePattern, Path file) throws IOException {
        Matcher m = Pattern.compile("'" + key + "'\\s*:\\s*" + valuePattern).matcher(header);
        if (!m.find()) throw new IOException(file + ": .npy header lacks '" + key + "'");
        return m.group(1);
    }
}
