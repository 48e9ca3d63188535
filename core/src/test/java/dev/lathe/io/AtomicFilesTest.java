package dev.lathe.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a killed writer leaves behind is cleaned by the next write of the same file, and only that. */
class AtomicFilesTest {
    @TempDir Path dir;

    @Test void aLaterWriteRemovesTheTemporaryAKilledWriterLeft() throws Exception {
        Path target = dir.resolve("run.ckpt");
        // a kill -9 mid-write leaves a temporary sibling; one of another file and a young one (a writer still running) stay
        Path stale = Files.writeString(dir.resolve(".run.ckpt.123456.tmp"), "half a checkpoint");
        Path young = Files.writeString(dir.resolve(".run.ckpt.777.tmp"), "another writer, now");
        Path other = Files.writeString(dir.resolve(".other.ckpt.99.tmp"), "not ours");
        FileTime old = FileTime.from(Instant.now().minus(AtomicFiles.STALE).minusSeconds(60));
        Files.setLastModifiedTime(stale, old);
        Files.setLastModifiedTime(other, old);
        AtomicFiles.write(target, out -> out.write(new byte[] {1, 2, 3}));
        assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
        assertThat(stale).doesNotExist();
        assertThat(young).exists();
        assertThat(other).exists();
    }
}
