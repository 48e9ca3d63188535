package dev.lathe.io;

import dev.lathe.tensor.DType;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Writes named tensors in the safetensors format (8-byte little-endian header length, a JSON
 * header of dtype/shape/data_offsets per tensor, then the raw little-endian data), which any
 * safetensors reader (Python, Rust, ...) opens. Writes are atomic.
 */
public final class Safetensors {
    private Safetensors() {}

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            json.append("\"__metadata__\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (!first) json.append(',');
                first = false;
                json.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            long bytes = (long) t.numel() * t.dtype().bytes();
            if (json.length() > 1) json.append(',');
            json.append(quote(e.getKey())).append(":{\"dtype\":\"").append(t.dtype() == DType.FLOAT32 ? "F32" : "F64")
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

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c);
                }
            }
        }
        return b.append('"').toString();
    }
}
