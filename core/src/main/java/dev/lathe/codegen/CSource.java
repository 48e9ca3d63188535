package dev.lathe.codegen;

import dev.lathe.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** What every generator writes the same way: const arrays, the vocabulary, and the model.h / model.c pair. */
final class CSource {
    private CSource() {}

    /** {@code static const float name[n] = {...}} as hex literals (exact); a non-finite weight is an error naming the array. */
    static void floats(StringBuilder data, String name, float[] v) {
        data.append("static const float ").append(name).append('[').append(v.length).append("] = {");
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) throw new IllegalArgumentException("C export: " + name + " holds a non-finite weight at " + i);
            data.append(i % 8 == 0 ? "\n    " : " ").append(Float.toHexString(v[i])).append('f').append(i + 1 < v.length ? "," : "");
        }
        data.append("\n};\n");
    }

    /** {@code static const TYPE name[n] = {...}} for an integer type (int64_t literals through INT64_C, INT32_MIN spelled out). */
    static void ints(StringBuilder data, String type, String name, long[] v) {
        data.append("static const ").append(type).append(' ').append(name).append('[').append(v.length).append("] = {");
        for (int i = 0; i < v.length; i++) {
            String lit = type.equals("int64_t") ? "INT64_C(" + v[i] + ")" : v[i] == Integer.MIN_VALUE ? "INT32_MIN" : Long.toString(v[i]);
            data.append(i % 16 == 0 ? "\n    " : " ").append(lit).append(i + 1 < v.length ? "," : "");
        }
        data.append("\n};\n");
    }

    static long[] longs(byte[] b) { long[] l = new long[b.length]; for (int i = 0; i < b.length; i++) l[i] = b[i]; return l; }

    static long[] longs(short[] b) { long[] l = new long[b.length]; for (int i = 0; i < b.length; i++) l[i] = b[i]; return l; }

    static long[] longs(int[] b) { long[] l = new long[b.length]; for (int i = 0; i < b.length; i++) l[i] = b[i]; return l; }

    /** {@code const uint16_t model_vocab[n]}: the code points the token ids index (declared extern in model.h). */
    static void vocab(StringBuilder data, char[] vocab) {
        data.append("const uint16_t model_vocab[").append(vocab.length).append("] = {");
        for (int i = 0; i < vocab.length; i++) data.append(i % 16 == 0 ? "\n    " : " ").append((int) vocab[i]).append(i + 1 < vocab.length ? "," : "");
        data.append("\n};\n");
    }

    /** model.h and model.c into dir, each through a temp file and a rename; returns {header, source}. */
    static Path[] write(Path dir, String header, String source) throws IOException {
        Files.createDirectories(dir);
        Path hp = dir.resolve("model.h"), cp = dir.resolve("model.c");
        AtomicFiles.write(hp, o -> o.write(header.getBytes(StandardCharsets.UTF_8)));
        AtomicFiles.write(cp, o -> o.write(source.getBytes(StandardCharsets.UTF_8)));
        return new Path[] {hp, cp};
    }
}
