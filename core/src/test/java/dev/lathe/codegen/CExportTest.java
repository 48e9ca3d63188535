package dev.lathe.codegen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lathe.data.ArrayDataset;
import dev.lathe.data.FashionMnist;
import dev.lathe.models.Cnn;
import dev.lathe.models.Mlp;
import dev.lathe.models.Zoo;
import dev.lathe.nn.Linear;
import dev.lathe.nn.Module;
import dev.lathe.nn.Sequential;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.runtime.QuantizedPlan;
import dev.lathe.runtime.QuantizedSession;
import dev.lathe.runtime.Session;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated C compiled by gcc (-std=c99 -Wall -Wextra -Werror -O2, once with ASan/UBSan) and run against Lathe's runtimes. */
class CExportTest {
    @TempDir Path dir;

    /** Reads samples from in.bin (float32 or int8), runs the model on each, writes out.bin. */
    static final String HARNESS = """
            #include <stdio.h>
            #include <stdlib.h>
            #include <string.h>
            #include "model.h"
            int main(int argc, char **argv) {
                FILE *fi, *fo;
                int q;
                if (argc != 4) return 2;
                q = strcmp(argv[1], "q") == 0;
                fi = fopen(argv[2], "rb");
                fo = fopen(argv[3], "wb");
                if (!fi || !fo) return 3;
                for (;;) {
                    if (q) {
            #ifdef MODEL_INT8
                        int8_t in[MODEL_INPUT_SIZE], out[MODEL_OUTPUT_SIZE];
                        if (fread(in, 1, MODEL_INPUT_SIZE, fi) != MODEL_INPUT_SIZE) break;
                        model_predict_int8(in, out);
                        fwrite(out, 1, MODEL_OUTPUT_SIZE, fo);
            #else
                        return 4;
            #endif
                    } else {
                        static float in[MODEL_INPUT_SIZE], out[MODEL_OUTPUT_SIZE];
                        if (fread(in, sizeof(float), MODEL_INPUT_SIZE, fi) != MODEL_INPUT_SIZE) break;
                        model_predict(in, out);
                        fwrite(out, sizeof(float), MODEL_OUTPUT_SIZE, fo);
                    }
                }
                fclose(fi);
                fclose(fo);
                return 0;
            }
            """;

    static boolean hasGcc() {
        try {
            return new ProcessBuilder("gcc", "--version").redirectErrorStream(true).start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    static void exec(Path cwd, String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(cwd.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(600, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s:%n%s", String.join(" ", cmd), out).isZero();
    }

    /** Compiles the model with the harness; sanitize adds -fsanitize=address,undefined. */
    static Path compile(Path d, boolean int8, boolean sanitize) throws Exception {
        Files.writeString(d.resolve("harness.c"), HARNESS);
        List<String> cmd = new ArrayList<>(List.of("gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O2"));
        if (int8) cmd.add("-DMODEL_INT8");
        if (sanitize) cmd.addAll(List.of("-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-g"));
        cmd.addAll(List.of("model.c", "harness.c", "-o", "harness", "-lm"));
        exec(d, cmd.toArray(String[]::new));
        return d.resolve("harness");
    }

    static float[] runFloat(Path d, Path bin, float[] in) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 * in.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : in) b.putFloat(v);
        Files.write(d.resolve("in.bin"), b.array());
        exec(d, bin.toString(), "f", "in.bin", "out.bin");
        ByteBuffer o = ByteBuffer.wrap(Files.readAllBytes(d.resolve("out.bin"))).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[o.remaining() / 4];
        for (int i = 0; i < out.length; i++) out[i] = o.getFloat();
        return out;
    }

    static byte[] runInt8(Path d, Path bin, byte[] in) throws Exception {
        Files.write(d.resolve("in.bin"), in);
        exec(d, bin.toString(), "q", "in.bin", "out.bin");
        return Files.readAllBytes(d.resolve("out.bin"));
    }

    static float[] inputs(Shape in, int n, long seed) {
        return Tensor.normal(new Random(seed), 0, 1, n * (int) in.sampleSize()).toFloatArray();
    }

    /** fp32 C within 1e-4 of Lathe's session, for the Fashion MLP and CNN and the small MobileNets (BN folded, depthwise, residual adds). */
    @Test void fp32ModelsMatchTheSession() throws Exception {
        assumeTrue(hasGcc(), "gcc not installed");
        Object[][] models = {{"mlp", Mlp.of(784, new int[] {64, 32}, 10, "relu", "he", 0, 1), Cnn.FASHION_INPUT},
            {"cnn", Cnn.fashion(2), Cnn.FASHION_INPUT},
            {"mobilenet_v2-mini", Zoo.build("mobilenet_v2-mini", 10, Shape.batchOf(3, 32, 32), 3), Shape.batchOf(3, 32, 32)},
            {"mobilenet_v1-mini", Zoo.build("mobilenet_v1-mini", 10, Shape.batchOf(3, 32, 32), 4), Shape.batchOf(3, 32, 32)},
            {"segmentation-decoder", decoder(), Shape.batchOf(3, 16, 16)}};
        for (Object[] m : models) {
            Module model = (Module) m[1];
            Shape in = (Shape) m[2];
            dev.lathe.runtime.InferencePlanTestAccess.randomStatistics(model, 5);
            InferencePlan plan = InferencePlan.freeze(model, in);
            Path d = Files.createDirectories(dir.resolve((String) m[0]));
            CExport.Result r = CExport.write(plan, model.macs(in.with(0, 1)), d);
            String src = Files.readString(r.source());
            assertThat(src).doesNotContain("malloc").doesNotContain("#include <stdio.h>").contains("static float arena[" + plan.memoryPlan().arenaSize() + "]");
            int n = 5;
            float[] x = inputs(in, n, 6);
            float[] c = runFloat(d, compile(d, false, false), x);
            Session s = plan.session(1);
            int per = (int) in.sampleSize(), outs = s.outputSize();
            assertThat(c).hasSize(n * outs);
            for (int k = 0; k < n; k++) {
                float[] want = s.predict(java.util.Arrays.copyOfRange(x, k * per, (k + 1) * per));
                for (int i = 0; i < outs; i++) {
                    assertThat(c[k * outs + i]).as("%s sample %d output %d", m[0], k, i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(want[i])));
                }
            }
        }
    }

    /** An encoder-decoder with both upsampling ops (a segmentation head's shape): strided conv down, transposed conv and bilinear resize up. */
    static Module decoder() {
        Sequential m = new Sequential(dev.lathe.nn.Conv2d.builder(3, 8, 3).stride(2).padding(1).build(), dev.lathe.nn.Activation.relu(),
                dev.lathe.nn.Conv2d.builder(8, 8, 3).stride(2).padding(1).build(), dev.lathe.nn.Activation.relu(),
                dev.lathe.nn.ConvTranspose2d.builder(8, 4, 3).stride(2).padding(1).outputPadding(1).build(), dev.lathe.nn.Upsample.bilinear(2),
                dev.lathe.nn.Upsample.nearest(1), new dev.lathe.nn.Conv2d(4, 2, 1));
        m.resetParameters(new java.util.Random(8));
        return m;
    }

    /** int8 C bit-exact with Lathe's int8 session (bytes and dequantized floats), also under ASan/UBSan. */
    @Test void int8ModelsAreBitExactWithTheInt8Session() throws Exception {
        assumeTrue(hasGcc(), "gcc not installed");
        Shape small = Shape.batchOf(3, 32, 32);
        for (Module model : new Module[] {Mlp.of(784, new int[] {64, 32}, 10, "relu", "he", 0, 7), Cnn.fashion(8),
            Zoo.build("mobilenet_v2-mini", 10, small, 9), Zoo.build("mobilenet_v1-mini", 10, small, 13), Zoo.build("resnet-mini", 10, small, 10)}) {
            Shape inShape = model instanceof Sequential ? Cnn.FASHION_INPUT : small;
            int per = (int) inShape.sampleSize();
            dev.lathe.runtime.InferencePlanTestAccess.randomStatistics(model, 12);
            InferencePlan plan = InferencePlan.freeze(model, inShape);
            QuantizedPlan q = QuantizedPlan.quantize(plan, Tensor.normal(new Random(9), 0, 1, inShape.with(0, 50).dims()), QuantizedPlan.Calibration.MINMAX);
            Path d = Files.createDirectories(dir.resolve("int8-" + model.parameterCount()));
            CExport.Result r = CExport.write(q, model.macs(inShape.with(0, 1)), d);
            assertThat(r.int8()).isTrue();
            assertThat(r.arenaBytes()).isEqualTo(q.memoryPlan().arenaSize());
            int n = 20;
            float[] x = inputs(inShape, n, 10);
            QuantizedSession s = q.session(1);
            byte[] xq = new byte[n * per], want = new byte[n * 10];
            float[] wantF = new float[n * 10];
            for (int k = 0; k < n; k++) {
                float[] one = java.util.Arrays.copyOfRange(x, k * per, (k + 1) * per);
                System.arraycopy(s.predict(one), 0, wantF, k * 10, 10);
                System.arraycopy(s.lastOutputQuantized(), 0, want, k * 10, 10);
                for (int i = 0; i < per; i++) xq[k * per + i] = q.inputParams().quantize(one[i]);
            }
            for (boolean sanitize : new boolean[] {false, true}) {
                Path bin = compile(d, true, sanitize);
                assertThat(runInt8(d, bin, xq)).as("%s int8 bytes, sanitize=%b", model, sanitize).containsExactly(want);
                assertThat(runFloat(d, bin, x)).as("dequantized floats").containsExactly(wantF);
            }
        }
    }

    /** The whole Fashion-MNIST test set through a trained int8 CNN in C: the same bytes, so the same predictions, as the Java int8 runtime. */
    @Test void int8CnnAgreesOnTheWholeFashionTestSet() throws Exception {
        assumeTrue(hasGcc(), "gcc not installed");
        assumeTrue(Files.isDirectory(FashionMnist.DEFAULT_DIR), "Fashion-MNIST not installed");
        var split = FashionMnist.load(FashionMnist.DEFAULT_DIR);
        double[] ms = split.first().meanStd();
        ArrayDataset train = split.first().normalized(ms[0], ms[1]), test = split.second().normalized(ms[0], ms[1]);
        Module cnn = Cnn.fashion(11);
        // one epoch on 3,000 images: a trained model (the byte-exact check does not depend on the weights, the predictions' meaning does)
        dev.lathe.train.Trainer.builder(cnn, new dev.lathe.optim.Adam(cnn.parameters(), 1e-3), dev.lathe.train.LossFunction.crossEntropy()).epochs(1).build()
                .fit(new dev.lathe.data.DataLoader(train.head(3000), 64, true, 1, false), null);
        InferencePlan plan = InferencePlan.freeze(cnn, Cnn.FASHION_INPUT);
        float[] cal = new float[200 * 784];
        for (int i = 0; i < 200; i++) train.copySample(i, cal, i * 784);
        QuantizedPlan q = QuantizedPlan.quantize(plan, Tensor.of(cal, 200, 1, 28, 28), QuantizedPlan.Calibration.MINMAX);
        Path d = Files.createDirectories(dir.resolve("fashion-int8"));
        CExport.write(q, cnn.macs(Cnn.FASHION_INPUT.with(0, 1)), d);
        int n = test.size();
        byte[] xq = new byte[n * 784], want = new byte[n * 10];
        float[] one = new float[784];
        QuantizedSession s = q.session(1);
        for (int k = 0; k < n; k++) {
            test.copySample(k, one, 0);
            s.predict(one);
            System.arraycopy(s.lastOutputQuantized(), 0, want, k * 10, 10);
            for (int i = 0; i < 784; i++) xq[k * 784 + i] = q.inputParams().quantize(one[i]);
        }
        byte[] got = runInt8(d, compile(d, true, false), xq);
        assertThat(got).hasSize(want.length);
        int diff = 0, correct = 0;
        for (int i = 0; i < want.length; i++) if (got[i] != want[i]) diff++;
        for (int k = 0; k < n; k++) {
            int best = 0;
            for (int j = 1; j < 10; j++) if (got[k * 10 + j] > got[k * 10 + best]) best = j;
            if (best == test.label(k)) correct++;
        }
        assertThat(diff).as("bytes differing over %d test images", n).isZero();
        assertThat(correct).as("the C model's test accuracy after one short epoch").isGreaterThan(n * 7 / 10);
    }

    /** RNN, LSTM and GRU stacks (two layers) with a dense head per step: C within 1e-4 of Lathe's forward pass. */
    @Test void recurrentModelsMatchLathe() throws Exception {
        assumeTrue(hasGcc(), "gcc not installed");
        for (dev.lathe.nn.Recurrent.Kind kind : dev.lathe.nn.Recurrent.Kind.values()) {
            Sequential m = new Sequential(new dev.lathe.nn.Recurrent(kind, 5, 8, 2, 0), new Linear(8, 6), dev.lathe.nn.Activation.tanh(), new Linear(6, 4));
            m.resetParameters(new Random(kind.ordinal() + 1));
            m.eval();
            int steps = 7;
            Path d = Files.createDirectories(dir.resolve("rnn-" + kind));
            CRecurrent.write(m, steps, d);
            float[] x = Tensor.normal(new Random(20), 0, 1, 1, steps, 5).toFloatArray();
            float[] want;
            try (var g = dev.lathe.autograd.GradMode.noGrad()) {
                want = m.forward(dev.lathe.autograd.Variable.constant(Tensor.of(x, 1, steps, 5))).data().toFloatArray();
            }
            float[] got = runFloat(d, compile(d, false, kind == dev.lathe.nn.Recurrent.Kind.LSTM), x);
            assertThat(got).hasSize(want.length);
            for (int i = 0; i < got.length; i++) assertThat(got[i]).as("%s output %d", kind, i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(want[i])));
        }
        assertThatThrownBy(() -> CRecurrent.write(new Sequential(new Linear(3, 3)), 4, dir.resolve("r-bad"))).hasMessageContaining("starts with a Recurrent layer");
        Sequential bad = new Sequential(new dev.lathe.nn.Recurrent(dev.lathe.nn.Recurrent.Kind.GRU, 3, 4, 1, 0), dev.lathe.nn.Activation.softmax());
        assertThatThrownBy(() -> CRecurrent.write(bad, 4, dir.resolve("r-bad2"))).hasMessageContaining("Softmax");
    }

    /** The char model as a C stepper: the logits of every step equal Lathe's within 1e-4; a bad token id is refused. */
    @Test void charModelStepsLikeLathe() throws Exception {
        assumeTrue(hasGcc(), "gcc not installed");
        for (dev.lathe.nn.Recurrent.Kind kind : new dev.lathe.nn.Recurrent.Kind[] {dev.lathe.nn.Recurrent.Kind.LSTM, dev.lathe.nn.Recurrent.Kind.GRU}) {
            dev.lathe.models.CharModel m = new dev.lathe.models.CharModel("abcde{}".toCharArray(), kind, 4, 8, 2, 0, 3);
            m.eval();
            Path d = Files.createDirectories(dir.resolve("char-" + kind));
            CRecurrent.writeCharModel(m, d);
            Files.writeString(d.resolve("harness.c"), """
                    #include <stdio.h>
                    #include "model.h"
                    int main(void) {
                        static const int tokens[] = {0, 3, 1, 6, 2, 5, 4};
                        float logits[MODEL_VOCAB];
                        int t, k;
                        model_reset();
                        for (t = 0; t < 7; t++) {
                            if (model_step(tokens[t], logits) != 0) return 5;
                            for (k = 0; k < MODEL_VOCAB; k++) printf("%.9g\\n", logits[k]);
                        }
                        return model_step(MODEL_VOCAB, logits) == -1 ? 0 : 6;
                    }
                    """);
            exec(d, "gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O2", "model.c", "harness.c", "-o", "harness", "-lm");
            Process p = new ProcessBuilder(d.resolve("harness").toString()).start();
            String[] lines = new String(p.getInputStream().readAllBytes()).strip().split("\n");
            assertThat(p.waitFor()).isZero();
            float[] want;
            try (var g = dev.lathe.autograd.GradMode.noGrad()) {
                want = m.run(new int[] {0, 3, 1, 6, 2, 5, 4}, 1, 7, null).logits().data().toFloatArray();
            }
            assertThat(lines).hasSize(want.length);
            for (int i = 0; i < want.length; i++) assertThat(Float.parseFloat(lines[i])).as("%s logit %d", kind, i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(want[i])));
            assertThat(Files.readString(d.resolve("model.c"))).contains("const uint16_t model_vocab[7] = {").contains("97, 98, 99, 100, 101, 123, 125");
        }
    }

    /** The integer char model: C's int8 logits equal the Java runtime's byte for byte (RNN, LSTM, GRU), and follow the float model. */
    @Test void int8CharModelIsBitExactAndTracksTheFloatModel() throws Exception {
        assumeTrue(hasGcc(), "gcc not installed");
        int[] tokens = new int[40];
        Random r = new Random(4);
        for (int i = 0; i < tokens.length; i++) tokens[i] = r.nextInt(7);
        for (dev.lathe.nn.Recurrent.Kind kind : dev.lathe.nn.Recurrent.Kind.values()) {
            dev.lathe.models.CharModel m = new dev.lathe.models.CharModel("abcde{}".toCharArray(), kind, 6, 16, 2, 0, 5);
            m.eval();
            dev.lathe.runtime.QuantizedCharModel q = new dev.lathe.runtime.QuantizedCharModel(m.embedding(), m.recurrent(), m.head(), m.logits(tokens));
            Path d = Files.createDirectories(dir.resolve("char8-" + kind));
            CRecurrent.writeCharModelInt8(q, m.vocabulary(), d);
            StringBuilder list = new StringBuilder();
            for (int t : tokens) list.append(t).append(',');
            Files.writeString(d.resolve("harness.c"), """
                    #include <stdio.h>
                    #include "model.h"
                    int main(void) {
                        static const int tokens[] = {TOKENS};
                        int8_t q[MODEL_VOCAB];
                        unsigned t, k;
                        model_reset();
                        for (t = 0; t < sizeof tokens / sizeof tokens[0]; t++) {
                            if (model_step_int8(tokens[t], q) != 0) return 5;
                            for (k = 0; k < MODEL_VOCAB; k++) printf("%d\\n", q[k]);
                        }
                        return 0;
                    }
                    """.replace("TOKENS", list.substring(0, list.length() - 1)));
            List<String> cmd = new ArrayList<>(List.of("gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-O2"));
            if (kind == dev.lathe.nn.Recurrent.Kind.GRU) cmd.addAll(List.of("-fsanitize=address,undefined", "-fno-sanitize-recover=all"));
            cmd.addAll(List.of("model.c", "harness.c", "-o", "harness"));
            exec(d, cmd.toArray(String[]::new));
            Process p = new ProcessBuilder(d.resolve("harness").toString()).start();
            String[] lines = new String(p.getInputStream().readAllBytes()).strip().split("\n");
            assertThat(p.waitFor()).isZero();
            float[] yq = new float[7];
            float[] want;
            try (var g = dev.lathe.autograd.GradMode.noGrad()) {
                want = m.run(tokens, 1, tokens.length, null).logits().data().toFloatArray();
            }
            double dot = 0, na = 0, nb = 0;
            for (int t = 0; t < tokens.length; t++) {
                q.step(tokens[t], yq);
                byte[] javaQ = q.logitsQuantized();
                for (int k = 0; k < 7; k++) {
                    assertThat(Integer.parseInt(lines[t * 7 + k])).as("%s step %d logit %d", kind, t, k).isEqualTo(javaQ[k]);
                    dot += yq[k] * want[t * 7 + k];
                    na += yq[k] * yq[k];
                    nb += want[t * 7 + k] * want[t * 7 + k];
                }
            }
            assertThat(dot / Math.sqrt(na * nb)).as("%s int8 vs fp32 logits (cosine over the sequence)", kind).isGreaterThan(0.95);
        }
    }

    /** The two files of an export belong together: model.c refuses to compile with another export's model.h. */
    @Test void aHeaderFromAnotherExportStopsTheBuild() throws Exception {
        assumeTrue(hasGcc(), "gcc not installed");
        Path a = Files.createDirectories(dir.resolve("pair-a")), b = Files.createDirectories(dir.resolve("pair-b"));
        CExport.write(InferencePlan.freeze(Mlp.of(4, new int[] {3}, 2, "relu", "he", 0, 1), Shape.batchOf(4)), 0, a);
        CExport.write(InferencePlan.freeze(Mlp.of(4, new int[] {5}, 2, "relu", "he", 0, 2), Shape.batchOf(4)), 0, b);
        compile(a, false, false);  // each export builds as written
        Files.copy(b.resolve("model.h"), a.resolve("model.h"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Process p = new ProcessBuilder("gcc", "-std=c99", "-c", "model.c", "-o", "model.o").directory(a.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isNotZero();
        assertThat(out).contains("model.h comes from another export than this model.c");
    }

    @Test void layersTheBackendCannotExpressAreNamed() {
        // a dense layer on a 4-D value (no flatten): the C backend takes [1, features]
        Sequential m = new Sequential(new Linear(7, 3));
        InferencePlan plan = InferencePlan.freeze(m, Shape.batchOf(2, 5, 7));
        assertThatThrownBy(() -> CExport.write(plan, 0, dir.resolve("bad"))).hasMessageContaining("C export: layer '0' (Linear(7→3))").hasMessageContaining("4-D");
        assertThat(Files.exists(dir.resolve("bad").resolve("model.c"))).isFalse();
    }
}
