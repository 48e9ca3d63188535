package dev.lathe.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * A character-level text corpus: every text file under a directory (sorted by path, so the order
 * is fixed), concatenated. Files that are not text (a NUL byte, or not valid UTF-8) are skipped and
 * listed. The vocabulary is the sorted set of characters that occur.
 */
public final class CharCorpus {
    private final String text;
    private final char[] vocab;
    private final int[] index = new int[Character.MAX_VALUE + 1];
    private final List<Path> files, skipped;

    private CharCorpus(String text, List<Path> files, List<Path> skipped) {
        this.text = text;
        this.files = List.copyOf(files);
        this.skipped = List.copyOf(skipped);
        TreeSet<Character> chars = new TreeSet<>();
        for (int i = 0; i < text.length(); i++) chars.add(text.charAt(i));
        vocab = new char[chars.size()];
        java.util.Arrays.fill(index, -1);
        int k = 0;
        for (char c : chars) {
            index[c] = k;
            vocab[k++] = c;
        }
    }

    /** Reads a file or every file under a directory; an empty result is an error naming the path. */
    public static CharCorpus read(Path root) throws IOException {
        if (!Files.exists(root)) throw new java.nio.file.NoSuchFileException(root.toString());
        List<Path> all;
        try (Stream<Path> s = Files.walk(root)) {
            all = s.filter(Files::isRegularFile).sorted().toList();
        }
        StringBuilder sb = new StringBuilder();
        List<Path> used = new ArrayList<>(), skipped = new ArrayList<>();
        for (Path p : all) {
            byte[] bytes = Files.readAllBytes(p);
            String s = decodeText(bytes);
            if (s == null) {
                skipped.add(p);
                continue;
            }
            used.add(p);
            sb.append(s);
        }
        if (sb.length() < 2) throw new IOException(root + ": no text to learn from (" + all.size() + " files, " + skipped.size() + " skipped as binary)");
        return new CharCorpus(sb.toString(), used, skipped);
    }

    /** A corpus of the given text (tests, or text from elsewhere). */
    public static CharCorpus of(String text) {
        if (text.length() < 2) throw new IllegalArgumentException("corpus: need at least 2 characters");
        return new CharCorpus(text, List.of(), List.of());
    }

    /** The text, or null when the bytes are binary (a NUL byte or malformed UTF-8). */
    static String decodeText(byte[] bytes) {
        for (byte b : bytes) if (b == 0) return null;
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    public String text() { return text; }

    public char[] vocabulary() { return vocab.clone(); }

    public List<Path> files() { return files; }

    /** Files left out because they are not text. */
    public List<Path> skipped() { return skipped; }

    /** Token ids of the whole text. */
    public int[] encode() { return encode(text, vocab); }

    /** Token ids of s under a vocabulary; a character outside it is an error naming it and its position. */
    public static int[] encode(String s, char[] vocab) {
        int[] ids = new int[s.length()];
        for (int i = 0; i < s.length(); i++) {
            int k = java.util.Arrays.binarySearch(vocab, s.charAt(i));
            if (k < 0) throw new IllegalArgumentException("character " + printable(s.charAt(i)) + " at position " + i + " is not in the model's vocabulary of " + vocab.length);
            ids[i] = k;
        }
        return ids;
    }

    static String printable(char c) { return c < 0x20 || c == 0x7f ? String.format("U+%04X", (int) c) : "'" + c + "'"; }
}
