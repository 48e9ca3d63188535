package dev.lathe.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lathe.nn.Module;
import dev.lathe.nn.Recurrent;
import dev.lathe.tensor.Shape;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A checkpoint's architecture written and read back in one place, and built into the same model. */
class ModelConfigTest {
    @Test void everyKindSurvivesTheSpecAndBuildsTheSameModel() {
        int[] image = {3, 32, 32};
        for (ModelConfig c : List.of(new ModelConfig.Mlp(new int[] {16, 8}, "relu", "he", 0.1), new ModelConfig.Cnn(), new ModelConfig.ClassicCnn(),
                new ModelConfig.ZooModel("resnet-mini"), new ModelConfig.Char(Recurrent.Kind.GRU, "abc\\n".toCharArray(), 4, 8, 2, 0.0))) {
            Map<String, String> spec = new LinkedHashMap<>();
            c.write(spec);
            assertThat(spec).containsEntry("model", c.name());
            ModelConfig back = ModelConfig.read(spec, "t.ckpt");
            assertThat(back.name()).isEqualTo(c.name());
            Module a = c.build(image, 10, 7), b = back.build(image, 10, 7);
            assertThat(b.parameterCount()).as(c.name()).isEqualTo(a.parameterCount());
            Map<String, dev.lathe.tensor.Tensor> bs = b.stateDict();
            a.stateDict().forEach((k, v) -> assertThat(java.util.Arrays.equals(bs.get(k).toFloatArray(), v.toFloatArray())).as(c.name() + " " + k + " equal").isTrue());
        }
        Map<String, String> fine = new LinkedHashMap<>();
        new ModelConfig.FineTuned("/models/resnet18.onnx", "ab12", "fc").write(fine);
        assertThat(ModelConfig.read(fine, "f.ckpt")).isEqualTo(new ModelConfig.FineTuned("/models/resnet18.onnx", "ab12", "fc"));
        assertThatThrownBy(() -> ModelConfig.read(fine, "f.ckpt").build(image, 5, 0)).hasMessageContaining("FineTune.load");
    }

    @Test void aMissingOrBadSettingIsNamedWithItsSource() {
        assertThatThrownBy(() -> ModelConfig.read(Map.of("model", "mlp", "hidden", "16"), "x.ckpt")).hasMessageContaining("x.ckpt").hasMessageContaining("lacks setting 'activation'");
        assertThatThrownBy(() -> ModelConfig.read(Map.of("model", "mlp", "hidden", "1x", "activation", "relu", "init", "he", "dropout", "0"), "x.ckpt"))
                .hasMessageContaining("x.ckpt: checkpoint setting is not a number");
        assertThatThrownBy(() -> ModelConfig.read(Map.of("model", "alexnet-xl"), "x.ckpt")).hasMessageContaining("unknown model 'alexnet-xl'");
        assertThatThrownBy(() -> new ModelConfig.Cnn().build(new int[] {12}, 3, 0)).hasMessageContaining("takes images");
        assertThat(new ModelConfig.Mlp(new int[] {4}, "tanh", "xavier", 0).build(new int[] {12}, 3, 0).outputShape(Shape.batchOf(12))).isEqualTo(Shape.batchOf(3));
    }
}
