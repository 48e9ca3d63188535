package dev.lathe.cli;

import dev.lathe.codegen.CExport;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The footprint of generated C: weight bytes (flash), arena bytes next to the planner's lower bound
 * (RAM), a stack bound and the code size as gcc builds the file ({@code gcc -std=c99 -O2 -c
 * -fstack-usage}, then {@code size}), and MACs per inference. The stack bound is the sum of every
 * function's frame: the generated code has no recursion, so no call chain can need more.
 */
final class CFootprint {
    private CFootprint() {}

    static void print(PrintWriter out, CExport.Result r) throws IOException, InterruptedException {
        out.printf(Locale.ROOT, "footprint (%s): weights %,d bytes (flash)%s%n", r.int8() ? "int8" : "fp32", r.weightBytes(),
                r.int8() ? " = int8 weights with their integer biases, multipliers and shifts" : " (float32)");
        out.printf(Locale.ROOT, "footprint: arena %,d bytes (RAM, static), lower bound %,d bytes%n", r.arenaBytes(), r.lowerBoundBytes());
        Path dir = Files.createTempDirectory("lathe-cfoot");
        try {
            Files.copy(r.source(), dir.resolve("model.c"));
            Files.copy(r.header(), dir.resolve("model.h"));
            String gcc = run(dir, "gcc", "-std=c99", "-O2", "-c", "model.c", "-o", "model.o", "-fstack-usage");
            if (gcc == null) {
                out.println("footprint: gcc not found: code size and stack bound not measured");
            } else {
                long stack = 0;
                int functions = 0;
                for (String line : Files.readAllLines(dir.resolve("model.su"))) {
                    String[] f = line.split("\t");
                    if (f.length >= 2) {
                        stack += Long.parseLong(f[1].trim());
                        functions++;
                    }
                }
                String size = run(dir, "size", "model.o");
                String[] cols = size == null ? new String[0] : size.strip().split("\n")[1].trim().split("\\s+");
                if (cols.length >= 3) {
                    out.printf(Locale.ROOT, "footprint: code %,d bytes (gcc -O2 text minus the const weights), data %s, bss %s (the arena), from size model.o%n",
                            Long.parseLong(cols[0]) - r.weightBytes(), cols[1], cols[2]);
                }
                out.printf(Locale.ROOT, "footprint: stack bound %,d bytes (sum of %d function frames, gcc -fstack-usage; no recursion)%n", stack, functions);
            }
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) Files.delete(p);
            }
            Files.delete(dir);
        }
        out.printf(Locale.ROOT, "footprint: %,d MACs per inference%n", r.macs());
    }

    /** stdout of a command that succeeded, null when the program is missing; a failure is an error with its output. */
    private static String run(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            return null;
        }
        String text = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException(String.join(" ", cmd) + " failed:\n" + text);
        return text;
    }
}
