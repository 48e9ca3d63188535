package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataTest {
    @TempDir Path dir;

    @Test void readsRawAndGzipIdx() throws IOException {
        byte[] raw = FakeFashion.idx(new int[] {2, 3}, new byte[] {1, 2, 3, 4, 5, (byte) 255});
        Files.write(dir.resolve("a.idx"), raw);
        Files.write(dir.resolve("a.idx.gz"), FakeFashion.gzip(raw));
        for (String f : new String[] {"a.idx", "a.idx.gz"}) {
            Idx.Array a = Idx.read(dir.resolve(f));
            assertThat(a.dims()).containsExactly(2, 3);
            assertThat(a.data()[5] & 0xff).isEqualTo(255);
        }
    }

    @Test void rejectsTruncatedWrongMagicAndWrongType() throws IOException {
        byte[] raw = FakeFashion.idx(new int[] {10, 28, 28}, new byte[1000]);
        Files.write(dir.resolve("short.gz"), FakeFashion.gzip(raw));
        assertThatThrownBy(() -> Idx.read(dir.resolve("short.gz"))).isInstanceOf(IOException.class)
                .hasMessageContaining("short.gz").hasMessageContaining("truncated").hasMessageContaining("needs 7840 data bytes, file has 1000");
        byte[] bad = raw.clone();
        bad[0] = 0x12;
        Files.write(dir.resolve("magic"), bad);
        assertThatThrownBy(() -> Idx.read(dir.resolve("magic"))).hasMessageContaining("not an IDX file");
        byte[] ints = raw.clone();
        ints[2] = 0x0C;
        Files.write(dir.resolve("type"), ints);
        assertThatThrownBy(() -> Idx.read(dir.resolve("type"))).hasMessageContaining("data type 0x0c is not supported");
        Files.write(dir.resolve("tiny"), new byte[] {0, 0});
        assertThatThrownBy(() -> Idx.read(dir.resolve("tiny"))).hasMessageContaining("truncated");
        assertThatThrownBy(() -> Idx.read(dir.resolve("absent"))).hasMessageContaining("absent");
    }

    @Test void fashionLoaderReadsDirectoryAndExplainsMissingOne() throws IOException {
        Split s = FashionMnist.load(FakeFashion.write(dir, 30, 20));
        assertThat(s.first().size()).isEqualTo(30);
        assertThat(s.second().size()).isEqualTo(20);
        assertThat(s.first().sampleShape()).containsExactly(1, 28, 28);
        assertThat(s.first().label(13)).isEqualTo(3);
        assertThatThrownBy(() -> FashionMnist.load(dir.resolve("nope")))
                .hasMessageContaining("nope").hasMessageContaining("apt-get install dataset-fashion-mnist");
        Files.delete(dir.resolve("t10k-labels-idx1-ubyte.gz"));
        assertThatThrownBy(() -> FashionMnist.load(dir)).hasMessageContaining("t10k-labels-idx1-ubyte");
    }

    @Test void loaderBatchesKeepsLastPartialAndShufflesBySeed() {
        float[] x = new float[10 * 2];
        int[] y = new int[10];
        for (int i = 0; i < 10; i++) {
            x[2 * i] = i;
            y[i] = i % 3;
        }
        ArrayDataset d = ArrayDataset.labelled(x, new int[] {2}, y, 3);
        DataLoader inOrder = DataLoader.inOrder(d, 4);
        List<Integer> sizes = new ArrayList<>();
        for (Batch b : inOrder) sizes.add(b.size());
        assertThat(sizes).containsExactly(4, 4, 2);
        assertThat(new DataLoader(d, 4, false, 0, true).batches()).isEqualTo(2);

        List<Float> e1 = firsts(new DataLoader(d, 3, true, 7, false)), e1again = firsts(new DataLoader(d, 3, true, 7, false));
        assertThat(e1).isEqualTo(e1again);
        assertThat(new HashSet<>(e1)).hasSize(10);
        DataLoader twice = new DataLoader(d, 3, true, 7, false);
        assertThat(firsts(twice)).isNotEqualTo(firsts(twice));  // a new order each epoch
        assertThatThrownBy(() -> new DataLoader(d, 0, false, 0, false)).hasMessageContaining("batch size must be positive");
    }

    private static List<Float> firsts(DataLoader l) {
        List<Float> out = new ArrayList<>();
        for (Batch b : l) for (int i = 0; i < b.size(); i++) out.add((float) b.x().get(i, 0));
        return out;
    }

    @Test void splitIsDisjointAndSeeded() {
        float[] x = new float[100];
        for (int i = 0; i < 100; i++) x[i] = i;
        ArrayDataset d = ArrayDataset.regression(x, new int[] {1}, x.clone(), new int[] {1});
        Split s = Split.of(d, 0.2, 1);
        assertThat(s.first().size()).isEqualTo(80);
        assertThat(s.second().size()).isEqualTo(20);
        Set<Float> seen = new HashSet<>();
        float[] buf = new float[1];
        for (ArrayDataset part : new ArrayDataset[] {s.first(), s.second()}) {
            for (int i = 0; i < part.size(); i++) {
                part.copySample(i, buf, 0);
                assertThat(seen.add(buf[0])).isTrue();
            }
        }
        assertThat(Arrays.equals(Split.of(d, 0.2, 1).second().meanStd(), s.second().meanStd())).isTrue();
        assertThatThrownBy(() -> Split.of(d, 1.0, 0)).hasMessageContaining("[0, 1)");
    }

    @Test void datasetValidatesLabels() {
        assertThatThrownBy(() -> ArrayDataset.labelled(new float[4], new int[] {2}, new int[] {0, 5}, 3))
                .hasMessageContaining("label 5 of sample 1 is outside [0, 3)");
        ArrayDataset n = ArrayDataset.labelled(new float[] {1, 3}, new int[] {1}, new int[] {0, 1}, 2).normalized(2, 1);
        float[] buf = new float[1];
        n.copySample(1, buf, 0);
        assertThat(buf[0]).isEqualTo(1f);
    }
}
