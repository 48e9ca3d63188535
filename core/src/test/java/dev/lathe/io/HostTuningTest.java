package dev.lathe.io;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lathe.kernels.GemmBlocking;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-host cache of the measured GEMM blocking: written atomically, read back only for the same host key. */
class HostTuningTest {
    @Test void aSavedBlockingLoadsForItsHostOnly(@TempDir Path dir) throws IOException {
        GemmBlocking b = new GemmBlocking(6, 320, 96, 1024, "measured in 1.0 s: test");
        HostTuning.save(dir, "cpu A | jvm | lanes 8 | -XX:UseAVX=2", b);
        GemmBlocking back = HostTuning.load(dir, "cpu A | jvm | lanes 8 | -XX:UseAVX=2").orElseThrow();
        assertThat(back.mr()).isEqualTo(6);
        assertThat(back.kc()).isEqualTo(320);
        assertThat(back.mc()).isEqualTo(96);
        assertThat(back.nc()).isEqualTo(1024);
        assertThat(back.source()).contains("cached in").contains("measured in 1.0 s: test");
        assertThat(HostTuning.load(dir, "cpu B | jvm | lanes 8 | -XX:UseAVX=2")).isEmpty();
        try (var files = Files.list(dir)) { assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp"))).isEmpty(); }
    }

    @Test void aDamagedOrForeignCacheIsIgnored(@TempDir Path dir) throws IOException {
        String key = "cpu A | jvm | lanes 16 | default flags";
        Files.writeString(HostTuning.cacheFile(dir, key), "host=" + key.replace(":", "\\:") + "\nmr=5\nkc=256\nmc=128\nnc=512\n");
        assertThat(HostTuning.load(dir, key)).isEmpty();  // mr 5 is no tile the kernel has
        Files.writeString(HostTuning.cacheFile(dir, key), "host=another host\nmr=8\nkc=256\nmc=128\nnc=512\n");
        assertThat(HostTuning.load(dir, key)).isEmpty();
        Files.writeString(HostTuning.cacheFile(dir, key), "\u0000garbage");
        assertThat(HostTuning.load(dir, key)).isEmpty();
    }

    @Test void theHostKeyNamesTheCpuTheJvmAndTheLanes() {
        String key = HostTuning.hostKey();
        assertThat(key).contains(System.getProperty("java.vm.version")).contains("lanes " + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length());
    }
}
