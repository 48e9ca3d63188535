package dev.lathe.io;

import dev.lathe.kernels.Gemm;
import dev.lathe.kernels.GemmBlocking;
import dev.lathe.kernels.GemmTuner;
import dev.lathe.kernels.Kernels;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * The GEMM blocking measured on this host, cached per host so the search runs once: a small properties
 * file under {@code $XDG_CACHE_HOME/lathe} (default {@code ~/.cache/lathe}), named by the host key — the
 * CPU model, the JVM build, the vector lanes and the JVM flags that change code generation
 * ({@code -XX:UseAVX}, {@code -XX:MaxVectorSize}) — so a cache made on one machine or JVM is never
 * applied on another. The file is written atomically; a missing or unreadable one means "not tuned"
 * (the library then runs {@link GemmBlocking#forThisHost}), never an error: results are the same bits
 * under every blocking, only speed differs.
 */
public final class HostTuning {
    private HostTuning() {}

    /**
     * What this host is, for the cache: one line. Computed once per process: it reads /proc/cpuinfo and the JVM's
     * arguments through java.management, ~30 ms cold.
     */
    public static String hostKey() {
        String key = hostKey;
        if (key == null) hostKey = key = describeHost();
        return key;
    }

    private static volatile String hostKey;

    private static String describeHost() {
        String cpu = "unknown cpu";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) { cpu = line.substring(line.indexOf(':') + 1).trim(); break; }
            }
        } catch (IOException e) {
            cpu = "unknown cpu (" + e.getMessage() + ")";
        }
        StringBuilder flags = new StringBuilder();
        for (String arg : java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("-XX:UseAVX") || arg.startsWith("-XX:MaxVectorSize") || arg.startsWith("-XX:UseSSE")) flags.append(' ').append(arg);
        }
        return String.format(Locale.ROOT, "%s | %s %s | lanes %d |%s", cpu, System.getProperty("java.vm.name"), System.getProperty("java.vm.version"), laneCount(), flags.length() == 0 ? " default flags" : flags);
    }

    private static int laneCount() { return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(); }

    /** The cache directory: $XDG_CACHE_HOME/lathe or ~/.cache/lathe. */
    public static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache")).resolve("lathe");
    }

    static Path cacheFile(Path dir, String key) { return dir.resolve(String.format(Locale.ROOT, "gemm-%08x.properties", key.hashCode())); }

    /** The blocking cached for this key in dir, if there is one written for exactly this key. */
    static Optional<GemmBlocking> load(Path dir, String key) {
        Path file = cacheFile(dir, key);
        if (!Files.isRegularFile(file)) return Optional.empty();
        try {
            Properties p = new Properties();
            p.load(new StringReader(Files.readString(file)));
            if (!key.equals(p.getProperty("host"))) return Optional.empty();  // a hash collision: another host's file
            return Optional.of(new GemmBlocking(Integer.parseInt(p.getProperty("mr")), Integer.parseInt(p.getProperty("kc")), Integer.parseInt(p.getProperty("mc")),
                    Integer.parseInt(p.getProperty("nc")), "cached in " + file + ": " + p.getProperty("source")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();  // a damaged cache is re-measured and rewritten, not trusted
        }
    }

    static void save(Path dir, String key, GemmBlocking b) throws IOException {
        Files.createDirectories(dir);
        Properties p = new Properties();
        p.setProperty("host", key);
        p.setProperty("mr", Integer.toString(b.mr()));
        p.setProperty("kc", Integer.toString(b.kc()));
        p.setProperty("mc", Integer.toString(b.mc()));
        p.setProperty("nc", Integer.toString(b.nc()));
        p.setProperty("source", b.source());
        AtomicFiles.write(cacheFile(dir, key), w -> p.store(w, "Lathe's GEMM blocking for this host (delete to measure again)"));
    }

    /**
     * Puts the cached blocking for this host in force; when there is none and {@code tuneIfMissing}, measures
     * one (a few seconds), caches it and puts it in force; with {@code retune}, measures again whatever is
     * cached. Returns the blocking in force. Before measuring, log gets a line starting "measuring", after it one
     * starting "measured", and the search's own lines start "tune". A cache directory that cannot be written is
     * reported to log and the measured blocking is used for this process only.
     */
    public static GemmBlocking apply(boolean tuneIfMissing, boolean retune, Consumer<String> log) {
        if (Kernels.SCALAR) return Gemm.blocking();
        String forced = System.getProperty("lathe.gemm.blocking");
        if (forced != null) {  // -Dlathe.gemm.blocking=MR,KC,MC,NC: for experiments and for a host the search gets wrong
            String[] f = forced.split(",");
            if (f.length != 4) throw new IllegalArgumentException("-Dlathe.gemm.blocking: expected MR,KC,MC,NC (e.g. 8,256,128,512), got '" + forced + "'");
            try {
                Gemm.useBlocking(new GemmBlocking(Integer.parseInt(f[0].trim()), Integer.parseInt(f[1].trim()), Integer.parseInt(f[2].trim()), Integer.parseInt(f[3].trim()), "set by -Dlathe.gemm.blocking"));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("-Dlathe.gemm.blocking: expected four integers MR,KC,MC,NC, got '" + forced + "'", e);
            }
            return Gemm.blocking();
        }
        Path dir = cacheDir();
        String key = hostKey();
        Optional<GemmBlocking> cached = retune ? Optional.empty() : load(dir, key);
        if (cached.isPresent()) {
            Gemm.useBlocking(cached.get());
        } else if (tuneIfMissing || retune) {
            log.accept("measuring this host's GEMM blocking once (a few seconds; cached under " + dir + ")");
            GemmBlocking tuned = GemmTuner.tune(GemmBlocking.forThisHost(), log);
            Gemm.useBlocking(tuned);
            log.accept("measured: " + tuned.describe());
            try {
                save(dir, key, tuned);
            } catch (IOException e) {
                log.accept("gemm: could not cache the measured blocking in " + dir + " (" + e.getMessage() + "); using it for this run only");
            }
        }
        return Gemm.blocking();
    }
}
