package dev.lathe.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExamplesTest {
    static Example detection(float id, int boxes) {
        float[] b = new float[boxes * 4];
        for (int i = 0; i < b.length; i++) b[i] = id * 100 + i;
        return Example.of("input", Tensor.of(new float[] {id, -id}, 2), "boxes", Tensor.of(b, boxes, 4), "label", Tensor.scalar(id));
    }

    @Test void sameShapesStackAndRaggedFieldsStayLists() {
        Batch b = Collate.stack().ragged("boxes").collate(List.of(detection(1, 2), detection(2, 0), detection(3, 5)));
        assertThat(b.size()).isEqualTo(3);
        assertThat(b.x().shape()).containsExactly(3, 2);
        assertThat(b.x().toFloatArray()).containsExactly(1, -1, 2, -2, 3, -3);
        assertThat(b.labels()).containsExactly(1, 2, 3);
        assertThat(b.list("boxes")).extracting(t -> t.size(0)).containsExactly(2, 0, 5);
        assertThat(b.list("boxes").get(2).get(4, 3)).isEqualTo(319);
        // a stacked field read as a list is one view per example
        assertThat(b.list("input").get(1).toFloatArray()).containsExactly(2, -2);
        assertThatThrownBy(() -> b.tensor("boxes")).hasMessageContaining("'boxes'").hasMessageContaining("list");
        assertThatThrownBy(() -> b.tensor("mask")).hasMessageContaining("no field 'mask'").hasMessageContaining("boxes");
    }

    @Test void aShapeThatDiffersWithoutDeclaringItIsAnErrorNamingFieldAndExample() {
        assertThatThrownBy(() -> Collate.stack().collate(List.of(detection(1, 2), detection(2, 2), detection(3, 1))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("field 'boxes'").hasMessageContaining("[1, 4] in example 2").hasMessageContaining("ragged");
    }

    @Test void paddedFieldsGetTheBatchLengthAndTrueLengths() {
        List<Example> clips = List.of(Example.of("wave", Tensor.of(new float[] {1, 2, 3}, 3)), Example.of("wave", Tensor.of(new float[] {4}, 1)));
        Batch b = Collate.stack().padded("wave", -9f).collate(clips);
        assertThat(b.tensor("wave").shape()).containsExactly(2, 3);
        assertThat(b.tensor("wave").toFloatArray()).containsExactly(1, 2, 3, 4, -9, -9);
        assertThat(b.tensor(Collate.lengthField("wave")).toFloatArray()).containsExactly(3, 1);
        assertThatThrownBy(() -> Collate.stack().padded("boxes", 0).collate(List.of(detection(1, 1),
                Example.of("input", Tensor.of(new float[2], 2), "boxes", Tensor.of(new float[3], 1, 3), "label", Tensor.scalar(0)))))
                .hasMessageContaining("padded field 'boxes'").hasMessageContaining("only the first axis may differ");
    }

    @Test void examplesMustShareTheirFieldNames() {
        assertThatThrownBy(() -> Collate.stack().collate(List.of(Example.of("a", Tensor.scalar(1)), Example.of("b", Tensor.scalar(1)))))
                .hasMessageContaining("example 1 has fields [b]");
        assertThatThrownBy(() -> Example.of("a", Tensor.scalar(1), "a", Tensor.scalar(2))).hasMessageContaining("'a' given twice");
        assertThatThrownBy(() -> Example.of("a").get("a")).hasMessageContaining("pairs");
    }

    @Test void anArrayDatasetBatchesTheSameThroughItsExamplesAsThroughItsArrays() {
        float[] x = new float[7 * 3];
        for (int i = 0; i < x.length; i++) x[i] = i * 0.5f;
        ArrayDataset labelled = ArrayDataset.labelled(x, new int[] {3}, new int[] {0, 1, 2, 0, 1, 2, 0}, 3);
        ArrayDataset regression = ArrayDataset.regression(x, new int[] {3}, new float[] {1, 2, 3, 4, 5, 6, 7}, new int[] {1});
        for (ArrayDataset d : List.of(labelled, regression)) {
            Examples viaExamples = new Examples() {
                @Override public int size() { return d.size(); }

                @Override public Example get(int i) { return d.get(i); }
            };
            List<Batch> fast = batches(new DataLoader(d, 3, true, 11, false));
            List<Batch> general = batches(new DataLoader(viaExamples, Collate.stack(), 3, true, 11, false));
            assertThat(general).hasSameSizeAs(fast);
            for (int i = 0; i < fast.size(); i++) {
                assertThat(general.get(i).names()).isEqualTo(fast.get(i).names());
                for (String f : fast.get(i).names()) {
                    assertThat(general.get(i).tensor(f).shape()).as(f).containsExactly(fast.get(i).tensor(f).shape());
                    assertThat(general.get(i).tensor(f).toFloatArray()).as(f).containsExactly(fast.get(i).tensor(f).toFloatArray());
                }
            }
        }
    }

    private static List<Batch> batches(DataLoader l) {
        List<Batch> out = new ArrayList<>();
        l.forEach(out::add);
        return out;
    }
}
