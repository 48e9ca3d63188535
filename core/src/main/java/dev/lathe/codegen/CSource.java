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

    /**
     * model.h and model.c into dir, each through a temp file and a rename; returns {header, source}. Two
     * renames are not one: a crash between them, or copying one file of an export over another's, would
     * pair a header with a source it does not describe. So both carry the export's id (a hash of the
     * two texts) and model.c stops the build with an #error when model.h's id differs.
     */
    static Path[] write(Path dir, String header, String source) throws IOException {
        String id = exportId(header, source);
        int endif = header.lastIndexOf("#endif"), include = source.indexOf("#include \"model.h\"\n");
        if (endif < 0 || include < 0) throw new IllegalStateException("C export: model.h without an include guard or model.c without #include \"model.h\"");
        String h = header.substring(0, endif) + "#define LATHE_MODEL_ID " + id + "  /* this export; model.c checks it */\n\n" + header.substring(endif);
        int after = include + "#include \"model.h\"\n".length();
        String c = source.substring(0, after) + "#if !defined(LATHE_MODEL_ID) || LATHE_MODEL_ID != " + id + "\n"
                + "#error \"model.h comes from another export than this model.c: copy both files of one export\"\n#endif\n" + source.substring(after);
        Files.createDirectories(dir);
        Path hp = dir.resolve("model.h"), cp = dir.resolve("model.c");
        AtomicFiles.write(hp, o -> o.write(h.getBytes(StandardCharsets.UTF_8)));
        AtomicFiles.write(cp, o -> o.write(c.getBytes(StandardCharsets.UTF_8)));
        return new Path[] {hp, cp};
    }

    /** 60 bits of the SHA-256 of both texts, as a C hex literal (within a signed 64-bit #if value). */
    private static String exportId(String header, String source) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            md.update(header.getBytes(StandardCharsets.UTF_8));
            md.update(source.getBytes(StandardCharsets.UTF_8));
            return String.format("0x%015x", java.nio.ByteBuffer.wrap(md.digest()).getLong() >>> 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
