package dev.lathe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.data.FakeFashion;
import dev.lathe.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a training process at random moments while it writes a checkpoint after every
 * epoch: each time, the file on disk loads — the previous epoch's or the new one, never a torn file.
 */
class KillDuringSaveTest {
    @TempDir Path tmp;

    @Test
    void checkpointIsAlwaysTheOldOrTheNewOne() throws Exception {
        Path data = FakeFashion.write(Files.createDirectories(tmp.resolve("fashion")), 600, 100);
        String java = ProcessHandle.current().info().command().orElse("java");
        Random r = new Random(9);
        int loaded = 0;
        for (int kill = 0; kill < 8; kill++) {
            Path ck = tmp.resolve("run" + kill + ".ckpt");
            List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                    "dev.lathe.cli.Main", "train", "--data", data.toString(), "--epochs", "200", "--hidden", "64", "--batch", "32", "--save", ck.toString(), "--no-progress"));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log" + kill).toFile()).start();
            // wait for the first save (start-up time depends on the machine's load), then kill at a random
            // moment of the following epochs: each epoch rewrites the file, so some kills land mid-write
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(ck) && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(20);
            assertThat(Files.exists(ck)).as("first checkpoint written (log: " + tmp.resolve("log" + kill) + ")").isTrue();
            Thread.sleep(r.nextInt(1500));
            assertThat(p.isAlive()).as("still training when killed").isTrue();
            p.destroyForcibly();  // SIGKILL: no shutdown hooks, no finally blocks
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Checkpoint c = Checkpoint.load(ck);
            assertThat(c.epoch()).isBetween(1, 200);
            loaded++;
        }
        assertThat(loaded).as("kills, each after at least one save").isEqualTo(8);
    }
}
