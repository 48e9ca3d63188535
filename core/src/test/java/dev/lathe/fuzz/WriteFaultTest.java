package dev.lathe.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.codegen.CExport;
import dev.lathe.data.Npy;
import dev.lathe.io.AtomicFiles;
import dev.lathe.models.Cnn;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Module;
import dev.lathe.optim.Optimizer;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.tensor.Shape;
import dev.lathe.train.Checkpoint;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fills up part-way through a write, injected through {@link AtomicFiles}'s seam at many
 * byte counts: every writer (checkpoint, C export, .npy) ends in an IOException naming the file, the
 * previous file is intact, and no temporary file is left.
 */
class WriteFaultTest {
    @TempDir Path dir;

    @AfterEach void clearSeam() { AtomicFiles.injectFaults(null); }

    /** An output stream that throws, as a full disk does, once {@code limit} bytes have been written. */
    static OutputStream fullAfter(OutputStream out, long limit) {
        return new FilterOutputStream(out) {
            long written;

            @Override public void write(int b) throws IOException {
                if (written++ >= limit) throw new IOException("No space left on device");
                out.write(b);
            }

            @Override public void write(byte[] b, int off, int len) throws IOException {
                for (int i = 0; i < len; i++) write(b[off + i]);
            }
        };
    }

    void failsCleanly(Path file, long size, Writing write) throws Exception {
        byte[] before = Files.readAllBytes(file);
        for (long limit : new long[] {0, 1, 7, 8, 100, size / 2, size - 1}) {
            AtomicFiles.injectFaults(out -> fullAfter(out, limit));
            assertThatThrownBy(write::run).as("full after %d bytes", limit).hasMessageContaining(file.toString()).hasMessageContaining("No space left on device");
            AtomicFiles.injectFaults(null);
            assertThat(Files.readAllBytes(file)).as("the previous %s after a failure at byte %d", file.getFileName(), limit).isEqualTo(before);
            try (Stream<Path> s = Files.list(file.getParent())) {
                assertThat(s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList()).as("temporary files").isEmpty();
            }
        }
    }

    @FunctionalInterface interface Writing { void run() throws Exception; }

    @Test
    void checkpointSurvivesAFullDisk() throws Exception {
        Module m = Mlp.of(8, new int[] {16}, 3, "relu", 0, 1);
        Optimizer opt = Optimizer.named("adam", m.parameters(), 1e-3, 0);
        Path ck = dir.resolve("run.ckpt");
        Checkpoint.save(ck, Map.of("model", "mlp"), m, opt, 1);
        failsCleanly(ck, Files.size(ck), () -> Checkpoint.save(ck, Map.of("model", "mlp"), m, opt, 2));
        assertThat(Checkpoint.load(ck).epoch()).isEqualTo(1);
    }

    @Test
    void cExportAndNpySurviveAFullDisk() throws Exception {
        InferencePlan plan = InferencePlan.freeze(Cnn.fashion(1).eval(), Shape.batchOf(1, 28, 28));
        Path out = Files.createDirectories(dir.resolve("c"));
        CExport.Result r = CExport.write(plan, 0, out);
        failsCleanly(r.header(), Files.size(r.header()), () -> CExport.write(plan, 0, out));  // model.h is written first
        Path npy = dir.resolve("x.npy");
        Npy.write(npy, new float[] {1, 2, 3}, new int[] {3});
        failsCleanly(npy, Files.size(npy), () -> Npy.write(npy, new float[] {4, 5, 6}, new int[] {3}));
    }
}
