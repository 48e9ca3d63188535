package dev.lathe.io;

import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes named tensors in the safetensors format (8-byte little-endian header length, a JSON
 * header of dtype/shape/data_offsets per tensor, then the raw little-endian data), which any
 * safetensors reader (Python, Rust, ...) opens. Writes are atomic. Reading checks every header
 * field against the file: a truncated, oversized or overlapping entry is an error naming the file
 * and the tensor, never a partly loaded model.
 */
public final class Safetensors {
    private Safetensors() {}

    /** Headers beyond this are refused before reading them (the reference implementation's limit). */
    static final long MAX_HEADER = 100L << 20;

    /** A file's tensors, in header order, and its string metadata. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw bad(file, "too short for a safetensors header (" + size + " bytes)");
            long n = readFully(ch, 0, 8, file).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n <= 0 || n > MAX_HEADER || n > size - 8) throw bad(file, "header length " + n + " does not fit the file (" + size + " bytes)");
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .decode(readFully(ch, 8, (int) n, file)).toString();
            } catch (CharacterCodingException e) {
                throw bad(file, "header is not UTF-8");
            }
            Object root;
            try {
                root = Json.parse(text.stripTrailing());
            } catch (IllegalArgumentException e) {
                throw bad(file, "header: " + e.getMessage());
            }
            if (!(root instanceof Map<?, ?> header)) throw bad(file, "header is not a JSON object");
            long dataStart = 8 + n, dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : header.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals("__metadata__")) {
                    if (!(e.getValue() instanceof Map<?, ?> meta)) throw bad(file, "__metadata__ is not an object");
                    for (Map.Entry<?, ?> m : meta.entrySet()) {
                        if (!(m.getValue() instanceof String v)) throw bad(file, "metadata '" + m.getKey() + "' is not a string");
                        metadata.put((String) m.getKey(), v);
                    }
                    continue;
                }
                entries.add(entry(file, name, e.getValue(), dataLen));
            }
            // the tensors must tile the data section exactly: no gaps, no overlaps, nothing after
            List<Entry> byOffset = new ArrayList<>(entries);
            byOffset.sort(Comparator.comparingLong(Entry::begin));
            long expected = 0;
            for (Entry en : byOffset) {
                if (en.begin() != expected) throw bad(file, "tensor '" + en.name() + "' starts at byte " + en.begin() + " of the data, expected " + expected + " (gap or overlap)");
                expected = en.end();
            }
            if (expected != dataLen) throw bad(file, "data section is " + dataLen + " bytes but the tensors cover " + expected);
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry en : entries) {
                ByteBuffer buf = readFully(ch, dataStart + en.begin(), (int) (en.end() - en.begin()), file).order(ByteOrder.LITTLE_ENDIAN);
                if (en.dtype() == DType.FLOAT32) {
                    float[] a = new float[en.numel()];
                    buf.asFloatBuffer().get(a);
                    tensors.put(en.name(), Tensor.of(a, en.shape()));
                } else {
                    double[] a = new double[en.numel()];
                    buf.asDoubleBuffer().get(a);
                    tensors.put(en.name(), Tensor.of(a, en.shape()));
                }
            }
            return new Contents(tensors, metadata);
        }
    }

    private record Entry(String name, DType dtype, int[] shape, int numel, long begin, long end) {}

    private static Entry entry(Path file, String name, Object spec, long dataLen) throws IOException {
        String what = "tensor '" + name + "'";
        if (!(spec instanceof Map<?, ?> m)) throw bad(file, what + " is not an object");
        if (!m.keySet().equals(java.util.Set.of("dtype", "shape", "data_offsets"))) throw bad(file, what + " needs exactly dtype, shape, data_offsets; has " + m.keySet());
        DType dtype = switch (String.valueOf(m.get("dtype"))) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            default -> throw bad(file, what + " has dtype " + m.get("dtype") + "; Lathe reads F32 and F64");
        };
        if (!(m.get("shape") instanceof List<?> dims)) throw bad(file, what + ": shape is not an array");
        int[] shape = new int[dims.size()];
        long numel = 1;
        for (int d = 0; d < shape.length; d++) {
            if (!(dims.get(d) instanceof Long v) || v < 0 || v > Integer.MAX_VALUE) throw bad(file, what + ": bad dimension " + dims.get(d));
            shape[d] = (int) (long) v;
            numel *= v;
            if (numel > Integer.MAX_VALUE) throw bad(file, what + " has more than 2^31 elements");
        }
        if (!(m.get("data_offsets") instanceof List<?> off) || off.size() != 2 || !(off.get(0) instanceof Long b) || !(off.get(1) instanceof Long e)) {
            throw bad(file, what + ": data_offsets must be two integers");
        }
        if (b < 0 || e < b || e > dataLen) throw bad(file, what + ": data_offsets [" + b + ", " + e + "] outside the " + dataLen + "-byte data section (truncated file?)");
        if (e - b != numel * dtype.bytes()) throw bad(file, what + ": " + (e - b) + " bytes for shape " + java.util.Arrays.toString(shape) + " of " + dtype + " (needs " + numel * dtype.bytes() + ")");
        return new Entry(name, dtype, shape, (int) numel, b, e);
    }

    private static ByteBuffer readFully(FileChannel ch, long pos, int len, Path file) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(len);
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) throw bad(file, "unexpected end of file at byte " + (pos + buf.position()));
        }
        return buf.flip();
    }

    private static IOException bad(Path file, String what) { return new IOException(file + ": not a valid safetensors file: " + what); }

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append("\"__metadata__\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (!first) json.append(',');
                first = false;
                json.append(Json.quote(e.getKey())).append(':').append(Json.quote(e.getValue()));
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long bytes = (long) t.numel() * t.dtype().bytes();
            if (json.length() > 1) json.append(',');
            json.append(Json.quote(e.getKey())).append(":{\"dtype\":\"").append(t.dtype() == DType.FLOAT32 ? "F32" : "F64")
                    .append("\",\"shape\":").append(java.util.Arrays.toString(t.shape()).replace(" ", ""))
                    .append(",\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        // the data section must start 8-byte aligned: pad the header with spaces
        byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
        byte[] header = java.util.Arrays.copyOf(text, (text.length + 7) / 8 * 8);
        java.util.Arrays.fill(header, text.length, header.length, (byte) ' ');
        AtomicFiles.write(file, out -> {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
            out.write(len.array());
            out.write(header);
            for (Tensor t : tensors.values()) {
                ByteBuffer buf = ByteBuffer.allocate(t.numel() * t.dtype().bytes()).order(ByteOrder.LITTLE_ENDIAN);
                if (t.dtype() == DType.FLOAT32) buf.asFloatBuffer().put(t.toFloatArray());
                else buf.asDoubleBuffer().put(t.toDoubleArray());
                out.write(buf.array());
            }
        });
    }
}
