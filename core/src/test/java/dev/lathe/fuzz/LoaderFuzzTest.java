package dev.lathe.fuzz;

import dev.lathe.data.Cifar10;
import dev.lathe.data.Idx;
import dev.lathe.data.ImageFolder;
import dev.lathe.data.Npy;
import dev.lathe.data.Preprocessing;
import dev.lathe.io.Safetensors;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Module;
import dev.lathe.optim.Optimizer;
import dev.lathe.tensor.Tensor;
import dev.lathe.train.Checkpoint;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * Every core loader against mutants of a valid file (seeded; jqwik shrinks a failure to a small seed):
 * .npy, .npz, safetensors, checkpoints, IDX, CIFAR-10 records, images, the preprocessing record.
 * The contract is {@link Mutations#check}. A failing input found here becomes a case below with its hex.
 */
class LoaderFuzzTest {
    static final Path DIR;
    static final byte[] NPY, NPZ, SAFETENSORS, CHECKPOINT, IDX, CIFAR, PNG, PREPROCESSING;

    static {
        try {
            DIR = Files.createTempDirectory("lathe-fuzz");
            Path npy = DIR.resolve("seed.npy");
            Npy.write(npy, new float[] {1, 2, 3, 4, 5, 6}, new int[] {2, 3});
            NPY = Files.readAllBytes(npy);
            ByteArrayOutputStream zip = new ByteArrayOutputStream();
            try (ZipOutputStream z = new ZipOutputStream(zip)) {
                for (String k : List.of("x.npy", "y.npy")) {
                    z.putNextEntry(new ZipEntry(k));
                    z.write(NPY);
                    z.closeEntry();
                }
            }
            NPZ = zip.toByteArray();
            Path st = DIR.resolve("seed.safetensors");
            Safetensors.write(st, Map.of("w", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2)), Map.of("k", "v"));
            SAFETENSORS = Files.readAllBytes(st);
            Module m = Mlp.of(3, new int[] {4}, 2, "relu", 0, 1);
            Path ck = DIR.resolve("seed.ckpt");
            Checkpoint.save(ck, Map.of("model", "mlp"), m, Optimizer.named("adam", m.parameters(), 1e-3, 0), 1);
            CHECKPOINT = Files.readAllBytes(ck);
            IDX = ByteBuffer.allocate(4 + 12 + 2 * 3 * 4).putInt(0x00000803).putInt(2).putInt(3).putInt(4).array();
            CIFAR = new byte[2 * Cifar10.RECORD];
            new Random(1).nextBytes(CIFAR);
            CIFAR[0] = 3;
            CIFAR[Cifar10.RECORD] = 9;
            BufferedImage img = new BufferedImage(6, 5, BufferedImage.TYPE_INT_RGB);
            img.setRGB(2, 2, 0x336699);
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            ImageIO.write(img, "png", png);
            PNG = png.toByteArray();
            PREPROCESSING = Preprocessing.write(new Preprocessing.Table(List.of(new Preprocessing.Numeric("a", 1, 2, 1),
                    new Preprocessing.Categorical("b", List.of("x", "y"), null)), new Preprocessing.Classes("c", List.of("p", "q")))).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterContainer
    static void clean() throws IOException {
        try (Stream<Path> s = Files.walk(DIR)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    static void fuzz(String name, byte[] seed, long mutant, Mutations.Loader loader) throws IOException {
        Mutations.check(DIR.resolve(name), Mutations.mutate(seed, new Random(mutant)), loader);
    }

    @Property(tries = 400, seed = "31")
    void npy(@ForAll long mutant) throws IOException { fuzz("in.npy", NPY, mutant, Npy::read); }

    @Property(tries = 400, seed = "31")
    void npz(@ForAll long mutant) throws IOException { fuzz("in.npz", NPZ, mutant, Npy::readNpz); }

    @Property(tries = 400, seed = "31")
    void safetensors(@ForAll long mutant) throws IOException { fuzz("in.safetensors", SAFETENSORS, mutant, Safetensors::read); }

    @Property(tries = 400, seed = "31")
    void checkpoint(@ForAll long mutant) throws IOException { fuzz("in.ckpt", CHECKPOINT, mutant, Checkpoint::load); }

    @Property(tries = 400, seed = "31")
    void idx(@ForAll long mutant) throws IOException { fuzz("in-idx3-ubyte", IDX, mutant, Idx::read); }

    /** Found by {@link #idx}: four dimensions whose product overflows a long passed the size check (NegativeArraySizeException). */
    @net.jqwik.api.Example
    void idxWhoseDimensionsOverflowALong() throws IOException {
        byte[] input = java.util.HexFormat.of().parseHex("0000080335e823575934df00000002000000030000000400000000003671d600000000000000000000000000000000000000");
        Mutations.check(DIR.resolve("overflow-idx3-ubyte"), input, Idx::read);
    }

    @Property(tries = 200, seed = "31")
    void cifar(@ForAll long mutant) throws IOException { fuzz("in_batch.bin", CIFAR, mutant, Cifar10::read); }

    @Property(tries = 400, seed = "31")
    void image(@ForAll long mutant) throws IOException { fuzz("in.png", PNG, mutant, f -> ImageFolder.pixels(f, 4, 4, false)); }

    @Property(tries = 400, seed = "31")
    void preprocessingRecord(@ForAll long mutant) throws IOException {
        fuzz("in.json", PREPROCESSING, mutant, f -> Preprocessing.read(new String(Files.readAllBytes(f), StandardCharsets.UTF_8), f.toString()));
    }
}
