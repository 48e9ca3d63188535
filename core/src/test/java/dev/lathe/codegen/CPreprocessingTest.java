package dev.lathe.codegen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lathe.data.Preprocessing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The preprocessing constants in model.h compile as C99 (-Wall -Wextra -Werror) and encode a row as Lathe does. */
class CPreprocessingTest {
    @TempDir Path dir;

    @Test
    void firmwareEncodesARawRowAsTrainingDid() throws Exception {
        assumeTrue(CExportTest.hasGcc(), "gcc not installed");
        Preprocessing.Table t = new Preprocessing.Table(List.of(new Preprocessing.Numeric("temp", 40, 12.5, Double.NaN),
                new Preprocessing.Categorical("machine", List.of("lathe", "mill \"x\""), null)), new Preprocessing.Regression("hours */", 120, 35));
        Files.writeString(dir.resolve("model.h"), "#ifndef M\n#define M\n#endif\n");
        CPreprocessing.addTo(dir.resolve("model.h"), t);
        // temp 65.5, machine 'mill "x"' -> in = {(65.5 - 40) / 12.5, 0, 1}; an output of 0.5 is 0.5 * 35 + 120 hours
        Files.writeString(dir.resolve("main.c"), """
                #include <stdio.h>
                #include "model.h"
                int main(void) {
                    float raw = 65.5f, in[3];
                    in[0] = (raw - model_input_mean[0]) / model_input_std[0];
                    in[1] = (0.0f - model_input_mean[1]) / model_input_std[1];
                    in[2] = (1.0f - model_input_mean[2]) / model_input_std[2];
                    printf("%.4f %.4f %.4f %.2f\\n", in[0], in[1], in[2], 0.5f * MODEL_TARGET_STD + MODEL_TARGET_MEAN);
                    return 0;
                }
                """);
        CExportTest.exec(dir, "gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "main.c", "-o", "main");
        Process p = new ProcessBuilder(dir.resolve("main").toString()).start();
        assertThat(new String(p.getInputStream().readAllBytes()).strip()).isEqualTo("2.0400 0.0000 1.0000 137.50");
        float[] lathe = new float[3];
        t.encode(List.of("65.5", "mill \"x\""), new int[] {0, 1}, lathe, "row");
        assertThat(lathe).containsExactly(2.04f, 0f, 1f);
        assertThat(Files.readString(dir.resolve("model.h"))).contains("in[2] = machine == \"mill \"x\"\" ? 1 : 0", "'hours * /' = out[0]");
    }
}
