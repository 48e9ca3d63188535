package dev.lathe.data;

import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy arrays: .npy (format 1.0-3.0, little-endian float32, float64, int64 or int32, C order) read as
 * tensors, .npz archives (a zip of .npy members, stored or deflated) read member by member, and
 * float32 .npy written (atomically).
 */
public final class Npy {
    private Npy() {}

    /** Reads one .npy file. */
    public static Tensor read(Path file) throws IOException { return parse(Files.readAllBytes(file), file.toString()); }

    /**
     * Reads every array of a .npz archive, by member name without ".npy" (numpy.savez's keys), in
     * archive order. A member larger than 2 GB or not a .npy is an error naming archive and member.
     */
    public static java.util.Map<String, Tensor> readNpz(Path file) throws IOException {
        java.util.Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(file.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                var e = entries.nextElement();
                if (e.isDirectory()) continue;
                String name = e.getName();
                if (!name.endsWith(".npy")) throw new IOException(file + ": member '" + name + "' is not a .npy array");
                if (e.getSize() > Integer.MAX_VALUE - 64) throw new IOException(file + ": member '" + name + "' is larger than 2 GB");
                byte[] bytes;
                try (var in = zip.getInputStream(e)) {
                    bytes = in.readNBytes(Integer.MAX_VALUE - 64);
                }
                out.put(name.substring(0, name.length() - 4), parse(bytes, file + " member " + name));
            }
        } catch (java.util.zip.ZipException e) {
            throw new IOException(file + ": not a .npz archive (" + e.getMessage() + ")", e);
        }
        if (out.isEmpty()) throw new IOException(file + ": the .npz archive holds no arrays");
        return out;
    }

    /** Writes a float32 array of the given shape as .npy (version 1.0), atomically. */
    public static void write(Path file, float[] values, int[] shape) throws IOException {
        long n = 1;
        for (int d : shape) n *= d;
        if (n != values.length) throw new IllegalArgumentException("npy: shape " + java.util.Arrays.toString(shape) + " holds " + n + " values, given " + values.length);
        StringBuilder dims = new StringBuilder();
        for (int d : shape) dims.append(d).append(shape.length == 1 ? "," : ", ");
        String text = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims.toString().replaceAll(", $", "") + "), }";
        int total = 10 + text.length() + 1;
        String header = text + " ".repeat((64 - total % 64) % 64) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + header.length() + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0).putShort((short) header.length());
        b.put(header.getBytes(StandardCharsets.US_ASCII));
        b.asFloatBuffer().put(values);
        dev.lathe.io.AtomicFiles.write(file, out -> out.write(b.array()));
    }

    private static Tensor parse(byte[] bytes, String file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
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
        int[] shape;
        try {
            shape = shapeText.isEmpty() ? new int[0]
                    : java.util.Arrays.stream(shapeText.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IOException(file + ": .npy shape (" + shapeText + ") is not a list of sizes");
        }
        long n = 1;
        for (int d : shape) {
            if (d < 0) throw new IOException(file + ": .npy shape (" + shapeText + ") has a negative size");
            n *= d;
            if (n > Integer.MAX_VALUE) throw new IOException(file + ": .npy shape (" + shapeText + ") holds more than 2^31 values");
        }
        int width = switch (descr) {
            case "<f4" -> 4;
            case "<f8", "<i8" -> 8;
            case "<i4" -> 4;
            case "|u1" -> 1;
            default -> throw new IOException(file + ": dtype " + descr + " is not supported (<f4, <f8, <i8, <i4, |u1)");
        };
        if (b.remaining() != n * width) throw new IOException(file + ": data has " + b.remaining() + " bytes, shape " + shapeText + " of " + descr + " needs " + n * width);
        if (descr.equals("<f4")) {
            float[] v = new float[(int) n];
            b.asFloatBuffer().get(v);
            return Tensor.of(v, shape);
        }
        double[] v = new double[(int) n];
        if (descr.equals("<f8")) b.asDoubleBuffer().get(v);
        else if (descr.equals("|u1")) for (int i = 0; i < n; i++) v[i] = Byte.toUnsignedInt(b.get());
        else if (descr.equals("<i4")) for (int i = 0; i < n; i++) v[i] = b.getInt();
        else for (int i = 0; i < n; i++) v[i] = b.getLong();
        return Tensor.of(v, shape);
    }

    private static String field(String header, String key, String valuePattern, String file) throws IOException {
        Matcher m = Pattern.compile("'" + key + "'\\s*:\\s*" + valuePattern).matcher(header);
        if (!m.find()) throw new IOException(file + ": .npy header lacks '" + key + "'");
        return m.group(1);
    }
}
