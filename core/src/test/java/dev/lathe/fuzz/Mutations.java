package dev.lathe.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * The fuzzing contract for every loader (issue 31), with a seeded mutator of valid files: a hostile
 * input ends in the loader's documented exception — an IOException or IllegalArgumentException whose
 * message names the file — never another exception (index, null, negative size, arithmetic), an
 * OutOfMemoryError from a length field, or a hang.
 */
public final class Mutations {
    private Mutations() {}

    /** Something that reads a file. */
    @FunctionalInterface
    public interface Loader { void load(Path file) throws Exception; }

    /**
     * A mutant of {@code seed} drawn from {@code rnd}: bytes flipped or set to extremes (0, 0x7f, 0x80,
     * 0xff: length fields at their limits), a truncation, a duplicated or deleted range, or an
     * inserted run — one to four of them.
     */
    public static byte[] mutate(byte[] seed, Random rnd) {
        byte[] b = seed.clone();
        int edits = 1 + rnd.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = rnd.nextInt(b.length);
            switch (rnd.nextInt(6)) {
                case 0 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                case 1 -> b[at] = (byte) new int[] {0, 0x7f, 0x80, 0xff}[rnd.nextInt(4)];
                case 2 -> b = java.util.Arrays.copyOf(b, at);
                case 3 -> {
                    int len = Math.min(b.length - at, 1 + rnd.nextInt(16));
                    byte[] out = new byte[b.length + len];
                    System.arraycopy(b, 0, out, 0, at + len);
                    System.arraycopy(b, at, out, at + len, b.length - at);
                    b = out;
                }
                case 4 -> {
                    int len = Math.min(b.length - at, 1 + rnd.nextInt(16));
                    byte[] out = new byte[b.length - len];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(b, at + len, out, at, b.length - at - len);
                    b = out;
                }
                default -> {
                    byte[] run = new byte[1 + rnd.nextInt(8)];
                    rnd.nextBytes(run);
                    byte[] out = new byte[b.length + run.length];
                    System.arraycopy(b, 0, out, 0, at);
                    System.arraycopy(run, 0, out, at, run.length);
                    System.arraycopy(b, at, out, at + run.length, b.length - at);
                    b = out;
                }
            }
        }
        return b;
    }

    /** Writes the input to {@code file} and checks the contract; the input is in the failure message (hex) to be kept as a regression input. */
    public static void check(Path file, byte[] input, Loader loader) throws IOException {
        Files.write(file, input);
        String name = file.getFileName().toString();
        try {
            loader.load(file);
        } catch (IOException | IllegalArgumentException e) {
            assertThat(e.getMessage()).as("%s on %s", e.getClass().getSimpleName(), hex(input)).isNotNull().contains(name);
        } catch (Throwable t) {
            throw new AssertionError("loader threw " + t + " (not IOException/IllegalArgumentException) on input " + hex(input), t);
        }
    }

    static String hex(byte[] b) { return java.util.HexFormat.of().formatHex(b, 0, Math.min(b.length, 4096)); }
}
