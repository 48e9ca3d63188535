package dev.lathe.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Writes a file through a temporary sibling and a rename, so readers never see a partial file. */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Something that writes the whole content to a stream. */
    @FunctionalInterface
    public interface Writer { void write(OutputStream out) throws IOException; }

    /**
     * The fault-injection seam (issue 31): when set, every stream this class writes through is passed
     * through it first, so a test can make a write fail after N bytes as a full disk does. Null in use.
     */
    private static volatile java.util.function.UnaryOperator<OutputStream> faults;

    /** Sets or clears ({@code null}) the seam; for tests. */
    public static void injectFaults(java.util.function.UnaryOperator<OutputStream> wrapper) { faults = wrapper; }

    /**
     * Writes {@code target} whole or not at all: a failure anywhere (a full disk, a read-only folder, the
     * writer's own error) leaves the previous file as it was, deletes the temporary file, and is an
     * IOException naming the target.
     */
    public static void write(Path target, Writer writer) throws IOException {
        try {
            writeOrFail(target, writer);
        } catch (IOException e) {
            throw new IOException(target + ": not written (" + e + "); the previous file, if any, is unchanged", e);
        }
    }

    /**
     * How old a temporary sibling must be before a later write of the same target removes it: a process
     * killed mid-write (kill -9, power loss) leaves its {@code .NAME.*.tmp} behind, and no write of one
     * file takes this long, so an older one belongs to no writer still running.
     */
    static final java.time.Duration STALE = java.time.Duration.ofMinutes(10);

    private static void writeOrFail(Path target, Writer writer) throws IOException {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        removeStaleTemporaries(abs);
        Path tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
        try {
            // temp files are created owner-only; the result should read like any other output file
            if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            java.util.function.UnaryOperator<OutputStream> seam = faults;
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                OutputStream file = java.nio.channels.Channels.newOutputStream(ch);
                OutputStream out = new java.io.BufferedOutputStream(seam == null ? file : seam.apply(file), 1 << 16);
                // a writer may close what it was given (a CSV printer does); the channel must stay open for force()
                writer.write(new java.io.FilterOutputStream(out) {
                    @Override public void write(byte[] b, int off, int len) throws IOException { out.write(b, off, len); }

                    @Override public void close() throws IOException { out.flush(); }
                });
                out.flush();
                // on the disk before the rename makes it the file: a power cut then leaves the old or the new one
                ch.force(true);
            }
            try {
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Deletes this target's temporary siblings older than {@link #STALE}; a younger one may be another writer's. */
    static void removeStaleTemporaries(Path abs) throws IOException {
        Path dir = abs.getParent();
        if (dir == null) return;
        String prefix = "." + abs.getFileName() + ".";
        java.nio.file.attribute.FileTime cutoff = java.nio.file.attribute.FileTime.from(java.time.Instant.now().minus(STALE));
        try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir, p -> {
            String n = p.getFileName().toString();
            return n.startsWith(prefix) && n.endsWith(".tmp");
        })) {
            for (Path p : ds) {
                try {
                    if (Files.getLastModifiedTime(p).compareTo(cutoff) < 0) Files.deleteIfExists(p);
                } catch (java.nio.file.NoSuchFileException gone) {
                    // another writer removed it between the listing and here: nothing left to clean
                }
            }
        }
    }
}
