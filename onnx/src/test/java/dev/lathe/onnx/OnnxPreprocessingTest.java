package dev.lathe.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.data.Preprocessing;
import dev.lathe.models.Mlp;
import dev.lathe.nn.Module;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime, fed raw table rows, gives what Lathe gives after its own preprocessing of the same rows. */
class OnnxPreprocessingTest {
    @TempDir Path dir;

    static final Preprocessing.Numeric TEMP = new Preprocessing.Numeric("temp", 40.0, 12.5, 40.0);   // imputed with the mean
    static final Preprocessing.Categorical MACHINE = new Preprocessing.Categorical("machine", List.of("lathe", "mill", "press"), null);
    static final Preprocessing.Numeric RPM = new Preprocessing.Numeric("rpm", 1500.0, 300.0, Double.NaN);

    /** Raw rows as a CSV holds them, and as the ONNX input takes them (a text column as its vocabulary index). */
    static final String[][] ROWS = {{"35.5", "mill", "1200"}, {"", "press", "1900"}, {"80", "lathe", "1500"}, {"12.25", "grinder", "900"}};
    static final float[][] ONNX_ROWS = {{35.5f, 1, 1200}, {Float.NaN, 2, 1900}, {80, 0, 1500}, {12.25f, -1, 900}};

    @Test
    void classifierOnRawRowsMatchesLathe() throws Exception {
        check(new Preprocessing.Classes("state", List.of("ok", "worn", "broken")), 3);
    }

    @Test
    void regressionOutputComesBackInTheTargetsUnits() throws Exception {
        check(new Preprocessing.Regression("hours", 120.0, 35.0), 1);
    }

    private void check(Preprocessing.Target target, int outputs) throws Exception {
        Preprocessing.Table prep = new Preprocessing.Table(List.of(TEMP, MACHINE, RPM), target);
        int features = prep.sampleShape()[0];
        Module m = Mlp.of(features, new int[] {8}, outputs, "relu", 0, 4).eval();
        Path file = dir.resolve("table.onnx");
        OnnxExport.write(m, Shape.batchOf(features), prep, file);

        // Lathe: encode each raw row, run the model, scale a regression output back
        float[] encoded = new float[ROWS.length * features], row = new float[features];
        int unseen = 0;
        for (int i = 0; i < ROWS.length; i++) {
            unseen += prep.encode(List.of(ROWS[i]), new int[] {0, 1, 2}, row, "row " + i);
            System.arraycopy(row, 0, encoded, i * features, features);
        }
        assertThat(unseen).as("'grinder' was not in the vocabulary").isEqualTo(1);
        float[] expected = OnnxExportTest.lathe(m, Tensor.of(encoded, ROWS.length, features));
        if (target instanceof Preprocessing.Regression r) for (int i = 0; i < expected.length; i++) expected[i] = (float) r.unscale(expected[i]);

        float[] raw = new float[ROWS.length * 3];
        for (int i = 0; i < ROWS.length; i++) System.arraycopy(ONNX_ROWS[i], 0, raw, i * 3, 3);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(raw), new long[] {ROWS.length, 3});
             OrtSession.Result res = s.run(Map.of("input", t))) {
            float[][] out = (float[][]) res.get(0).getValue();
            for (int i = 0; i < ROWS.length; i++) {
                for (int k = 0; k < outputs; k++) {
                    float e = expected[i * outputs + k];
                    assertThat(out[i][k]).as("row %d output %d", i, k).isCloseTo(e, Offset.offset(1e-4f + 1e-5f * Math.abs(e)));
                }
            }
            assertThat(s.getMetadata().getCustomMetadata()).containsKey("lathe.preprocessing");
        }
        // the record in the file reads back to the same preprocessing
        String json = onnx.Onnx.ModelProto.parseFrom(java.nio.file.Files.readAllBytes(file)).getMetadataProps(0).getValue();
        assertThat(Preprocessing.read(json, file.toString())).isEqualTo(prep);
    }
}
