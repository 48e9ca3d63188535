package dev.lathe.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.data.Npy;
import dev.lathe.data.Preprocessing;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npz / .npy pairs and image folders through {@link Sources}: layouts, splits, and named errors. */
class ArrayAndImageSourcesTest {
    @TempDir Path dir;

    Sources.Options options(Path data, Path test) { return new Sources.Options(data, test, 0.25, 0, TablesTest.DEFAULTS, null, false); }

    /** A .npz as numpy.savez writes it: one .npy member per array. */
    Path npz(String name, Object... keyShapeValues) throws IOException {
        Path p = dir.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            for (int i = 0; i < keyShapeValues.length; i += 3) {
                Path tmp = dir.resolve("member.npy");
                Npy.write(tmp, (float[]) keyShapeValues[i + 2], (int[]) keyShapeValues[i + 1]);
                z.putNextEntry(new ZipEntry(keyShapeValues[i] + ".npy"));
                z.write(Files.readAllBytes(tmp));
                z.closeEntry();
            }
        }
        return p;
    }

    static float[] range(int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i * scale;
        return v;
    }

    @Test
    void npzFeaturesAreStandardizedPerFeatureAndIntegerLabelsAreClasses() throws IOException {
        float[] y = new float[8];
        for (int i = 0; i < 8; i++) y[i] = i % 2 == 0 ? 3 : 7;
        Sources.Loaded l = Sources.load(options(npz("d.npz", "x", new int[] {8, 2}, range(16, 1), "y", new int[] {8}, y), null));
        assertThat(l.preprocessing()).isInstanceOf(Preprocessing.Arrays.class);
        assertThat(((Preprocessing.Classes) l.preprocessing().target()).names()).containsExactly("3", "7");
        assertThat(l.train().size() + l.test().size()).isEqualTo(8);
        Preprocessing.Arrays a = (Preprocessing.Arrays) l.preprocessing();
        assertThat(a.mean()).hasSize(2);
        assertThat(a.mean()[0]).isNotEqualTo(a.mean()[1]);
    }

    @Test
    void channelsLastImagesAreTransposedAndSaidSo() throws IOException {
        int n = 8;
        float[] x = range(n * 5 * 6 * 3, 0.01f), y = new float[n];
        for (int i = 0; i < n; i++) y[i] = i % 2;
        Sources.Loaded l = Sources.load(options(npz("img.npz", "x_train", new int[] {n, 5, 6, 3}, x, "y_train", new int[] {n}, y,
                "x_test", new int[] {2, 5, 6, 3}, range(2 * 90, 0.01f), "y_test", new int[] {2}, new float[] {0, 1}), null));
        assertThat(l.train().sampleShape()).containsExactly(3, 5, 6);
        assertThat(l.test().size()).isEqualTo(2);
        assertThat(l.notes()).anyMatch(s -> s.contains("transposed to [N, C, H, W]"));
    }

    @Test
    void npyPairAndMismatchedLengths() throws IOException {
        Path d = Files.createDirectories(dir.resolve("pair"));
        Npy.write(d.resolve("x.npy"), range(12, 0.5f), new int[] {6, 2});
        Npy.write(d.resolve("y.npy"), new float[] {0.5f, 1.5f, 2.25f, 3, 4, 5}, new int[] {6});
        Sources.Loaded l = Sources.load(options(d.resolve("x.npy"), null));
        assertThat(l.preprocessing().task()).isEqualTo("regress");
        Npy.write(d.resolve("y.npy"), new float[] {0, 1, 0, 1, 0}, new int[] {5});
        assertThatThrownBy(() -> Sources.load(options(d, null))).hasMessageContaining("x has 6 samples but y has 5");
        Path bad = npz("bad.npz", "features", new int[] {2, 2}, range(4, 1));
        assertThatThrownBy(() -> Sources.load(options(bad, null))).hasMessageContaining("bad.npz: no array 'x' (has [features]");
    }

    static void png(Path file, int gray) throws IOException {
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int i = 0; i < 8; i++) for (int j = 0; j < 8; j++) img.setRGB(j, i, (gray << 16) | (gray << 8) | gray);
        Files.createDirectories(file.getParent());
        ImageIO.write(img, "png", file.toFile());
    }

    @Test
    void imageFolderClassesAreSubFoldersAndBadImagesAreNamed() throws IOException {
        Path root = dir.resolve("imgs");
        for (int i = 0; i < 4; i++) {
            png(root.resolve("dark/" + i + ".png"), 10 + i);
            png(root.resolve("light/" + i + ".png"), 240 - i);
        }
        Sources.Loaded l = Sources.load(new Sources.Options(root, null, 0.25, 0, TablesTest.DEFAULTS, new int[] {6, 6}, true));
        assertThat(l.preprocessing()).isEqualTo(l.preprocessing());
        Preprocessing.Images im = (Preprocessing.Images) l.preprocessing();
        assertThat(im.sampleShape()).containsExactly(1, 6, 6);
        assertThat(((Preprocessing.Classes) im.target()).names()).containsExactly("dark", "light");
        Files.createDirectories(root.resolve("empty"));
        assertThatThrownBy(() -> Sources.load(options(root, null))).hasMessageContaining("empty: empty class folder");
        Files.delete(root.resolve("empty"));
        Files.writeString(root.resolve("light/broken.png"), "not a png");
        assertThatThrownBy(() -> Sources.load(options(root, null))).hasMessageContaining("broken.png: unreadable image");
    }

    @Test
    void cifarBinaryFolderLoadsWithItsOwnTestBatch() throws IOException {
        Path d = Files.createDirectories(dir.resolve("cifar-10-batches-bin"));
        java.util.Random r = new java.util.Random(1);
        for (String f : List.of("data_batch_1.bin", "test_batch.bin")) {
            byte[] b = new byte[20 * dev.lathe.data.Cifar10.RECORD];
            r.nextBytes(b);
            for (int k = 0; k < 20; k++) b[k * dev.lathe.data.Cifar10.RECORD] = (byte) (k % 10);
            Files.write(d.resolve(f), b);
        }
        assertThat(Sources.kind(d)).isEqualTo(Sources.Kind.CIFAR10);
        Sources.Loaded l = Sources.load(options(d, null));
        assertThat(l.train().size()).isEqualTo(20);
        assertThat(l.test().size()).isEqualTo(20);
        Preprocessing.Images im = (Preprocessing.Images) l.preprocessing();
        assertThat(im.sampleShape()).containsExactly(3, 32, 32);
        assertThat(((Preprocessing.Classes) im.target()).names()).startsWith("airplane", "automobile").hasSize(10);
        assertThatThrownBy(() -> Sources.load(options(d, d))).hasMessageContaining("brings its own test_batch.bin");
    }

    @Test
    void unknownKindsAndMismatchedTestDataAreErrors() throws IOException {
        Path odd = Files.writeString(dir.resolve("data.xlsx"), "x");
        assertThatThrownBy(() -> Sources.kind(odd)).hasMessageContaining("data.xlsx: not a data source Lathe reads");
        Path table = Files.writeString(dir.resolve("t.csv"), "a,y\n1,p\n");
        Path arrays = npz("a.npz", "x", new int[] {2, 1}, range(2, 1), "y", new int[] {2}, new float[] {0, 1});
        assertThatThrownBy(() -> Sources.load(options(table, arrays))).hasMessageContaining("--test-data").hasMessageContaining("NPZ source");
        assertThat(List.of(Sources.Kind.values())).hasSize(5);
    }
}
