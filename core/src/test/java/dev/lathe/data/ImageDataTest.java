package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDataTest {
    @TempDir Path dir;

    static byte[] cifarRecords(int n) {
        byte[] b = new byte[n * Cifar10.RECORD];
        for (int r = 0; r < n; r++) {
            b[r * Cifar10.RECORD] = (byte) (r % 10);
            for (int i = 0; i < 3072; i++) b[r * Cifar10.RECORD + 1 + i] = (byte) (i < 1024 ? 255 : i < 2048 ? 128 : r);
        }
        return b;
    }

    @Test void cifarRecordsBecomeNchwSamples() throws IOException {
        Files.write(dir.resolve("data_batch_1.bin"), cifarRecords(3));
        Files.write(dir.resolve("data_batch_2.bin"), cifarRecords(2));
        Files.write(dir.resolve("test_batch.bin"), cifarRecords(4));
        Split s = Cifar10.load(dir);
        assertThat(s.first().size()).isEqualTo(5);
        assertThat(s.second().size()).isEqualTo(4);
        assertThat(s.first().sampleShape()).containsExactly(3, 32, 32);
        assertThat(s.first().label(4)).isEqualTo(1);  // second file's record 1
        float[] px = new float[3072];
        s.second().copySample(2, px, 0);
        assertThat(px[0]).isEqualTo(1f);
        assertThat(px[1024]).isEqualTo(128 / 255f);
        assertThat(px[2048]).isEqualTo(2 / 255f);
    }

    @Test void corruptCifarFilesAreNamed() throws IOException {
        byte[] b = cifarRecords(2);
        Files.write(dir.resolve("short.bin"), java.util.Arrays.copyOf(b, b.length - 10));
        assertThatThrownBy(() -> Cifar10.read(dir.resolve("short.bin"))).hasMessageContaining("short.bin").hasMessageContaining("record 1 is truncated");
        b[Cifar10.RECORD] = (byte) 200;
        Files.write(dir.resolve("label.bin"), b);
        assertThatThrownBy(() -> Cifar10.read(dir.resolve("label.bin"))).hasMessageContaining("label.bin: corrupt CIFAR-10 record 1: label 200");
        assertThatThrownBy(() -> Cifar10.load(dir.resolve("none"))).hasMessageContaining("CIFAR-10 directory not found");
    }

    @Test void imageFolderReadsResizesAndLabelsBySortedFolder() throws IOException {
        for (String cls : new String[] {"dog", "cat"}) {
            Path d = Files.createDirectories(dir.resolve("imgs").resolve(cls));
            BufferedImage img = new BufferedImage(8, 6, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 6; y++) for (int x = 0; x < 8; x++) img.setRGB(x, y, cls.equals("cat") ? 0xFF0000 : 0x0000FF);
            ImageIO.write(img, "png", d.resolve("a.png").toFile());
            ImageIO.write(img, "jpg", d.resolve("b.jpg").toFile());
        }
        ImageFolder.Loaded l = ImageFolder.load(dir.resolve("imgs"), 4, 4, false);
        assertThat(l.classes()).containsExactly("cat", "dog");
        assertThat(l.data().size()).isEqualTo(4);
        assertThat(l.data().sampleShape()).containsExactly(3, 4, 4);
        float[] px = new float[48];
        l.data().copySample(0, px, 0);  // cat/a.png: red
        assertThat(px[5]).isEqualTo(1f);
        assertThat(px[32 + 5]).isEqualTo(0f);
        assertThat(l.data().label(3)).isEqualTo(1);
        Files.writeString(dir.resolve("imgs/cat/broken.png"), "not a png");
        assertThatThrownBy(() -> ImageFolder.load(dir.resolve("imgs"), 4, 4, false)).hasMessageContaining("broken.png: unreadable image");
    }

    @Test void augmentationShiftsAndFlipsDeterministically() {
        float[] x = new float[2 * 9];
        for (int i = 0; i < 9; i++) x[i] = i + 1;
        ArrayDataset d = ArrayDataset.labelled(x, new int[] {1, 3, 3}, new int[] {0, 1}, 2);
        Augmented flipOnly = new Augmented(d, 0, true, 3);
        float[] out = new float[9];
        boolean sawFlip = false, sawPlain = false;
        for (int k = 0; k < 20; k++) {
            flipOnly.copySample(0, out, 0);
            if (out[0] == 3f && out[2] == 1f) sawFlip = true;
            if (out[0] == 1f && out[2] == 3f) sawPlain = true;
        }
        assertThat(sawFlip && sawPlain).isTrue();
        Augmented a = new Augmented(d, 1, true, 7), b = new Augmented(d, 1, true, 7);
        float[] o1 = new float[9], o2 = new float[9];
        for (int k = 0; k < 10; k++) {
            a.copySample(0, o1, 0);
            b.copySample(0, o2, 0);
            assertThat(o1).containsExactly(o2);
        }
        assertThatThrownBy(() -> new Augmented(d, 3, false, 0)).hasMessageContaining("crop padding 3 must be in [0, 3)");
    }
}
