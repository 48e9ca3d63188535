package dev.lathe.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.lathe.ir.Op;
import dev.lathe.ir.Pass;
import dev.lathe.ir.Program;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.runtime.Session;
import dev.lathe.tensor.Tensor;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX graphs as PyTorch's exporter writes them (src/test/python/other_tools.py, Debian's torch) run
 * in the batch-1 runtime, not only in the interpreter, each checked against ONNX Runtime:
 * asymmetric padding, a channels-last input made NCHW by a Transpose, and two outputs.
 */
class OnnxFromOtherToolsTest {
    @TempDir static Path dir;

    @BeforeAll static void writeFixtures() throws Exception {
        assumeTrue(torchAvailable(), "Debian's python3-torch is not installed (.ci/run installs it with python3-torchvision)");
        Path script = Path.of("src/test/python/other_tools.py").toAbsolutePath();
        Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), dir.toString()).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(log).isZero();
    }

    static boolean torchAvailable() {
        try {
            return Files.isExecutable(Path.of("/usr/bin/python3"))
                    && new ProcessBuilder("/usr/bin/python3", "-c", "import torch").redirectErrorStream(true).start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** Lathe's runtime against ONNX Runtime on every output of the file, for three random inputs. */
    static Program agree(String name, long[] shape) throws Exception {
        Path file = dir.resolve(name + ".onnx");
        Program program = OnnxImport.toProgram(OnnxModel.load(file), file.toString());
        Session session = InferencePlan.of(Pass.all(program, Pass.INFERENCE)).session(1);
        // and written back out from the IR after the passes (Pad, Transpose, several outputs): ONNX Runtime runs that file too
        Path back = dir.resolve(name + "-from-ir.onnx");
        PlanExport.write(Pass.all(program, Pass.INFERENCE), back);
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession ort = env.createSession(file.toString(), new OrtSession.SessionOptions())) {
            for (int trial = 0; trial < 3; trial++) {
                int size = 1;
                for (long d : shape) size *= (int) d;
                float[] x = Tensor.normal(new Random(trial), 0, 1, size).toFloatArray();
                Map<String, float[]> lathe = session.predictAll(x);
                try (OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape); OrtSession.Result r = ort.run(Map.of("x", t));
                     OrtSession exported = env.createSession(back.toString(), new OrtSession.SessionOptions());
                     OnnxTensor t2 = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape); OrtSession.Result r2 = exported.run(Map.of("input", t2))) {
                    assertThat(lathe).hasSize(r.size());
                    assertThat(r2.size()).isEqualTo(r.size());
                    for (int k = 0; k < r.size(); k++) {
                        float[] a = ((OnnxTensor) r.get(k)).getFloatBuffer().array(), b = ((OnnxTensor) r2.get(k)).getFloatBuffer().array();
                        assertThat(b).as("%s output %d exported from the IR", name, k).hasSameSizeAs(a);
                        for (int i = 0; i < a.length; i++) assertThat(b[i]).as("%s re-exported [%d]", name, i).isCloseTo(a[i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(a[i])));
                    }
                    int k = 0;
                    for (Map.Entry<String, float[]> e : lathe.entrySet()) {
                        float[] want = ((OnnxTensor) r.get(k++)).getFloatBuffer().array();
                        assertThat(e.getValue()).as("%s output %s trial %d", name, e.getKey(), trial).hasSameSizeAs(want);
                        for (int i = 0; i < want.length; i++) {
                            assertThat(e.getValue()[i]).as("%s %s[%d]", name, e.getKey(), i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(want[i])));
                        }
                    }
                }
            }
        }
        return program;
    }

    @Test void asymmetricPaddingBecomesAPadNodeBeforeTheConv() throws Exception {
        Program p = agree("asymmetric_pad", new long[] {1, 3, 9, 9});
        assertThat(p.nodes()).anyMatch(n -> n.op() instanceof Op.Pad pad && pad.bottom() == 1 && pad.right() == 1 && pad.top() == 0);
        assertThat(p.nodes()).anyMatch(n -> n.op() instanceof Op.Conv2d c && c.weight().size(2) == 1 && c.weight().size(3) == 3);  // a 1x3 kernel
    }

    @Test void aChannelsLastInputRunsThroughItsTranspose() throws Exception {
        Program p = agree("nhwc_input", new long[] {1, 8, 8, 3});
        assertThat(p.inputs().get("input").dims()).containsExactly(1, 8, 8, 3);
        assertThat(p.nodes().get(0).op()).isEqualTo(new Op.Transpose(new int[] {0, 3, 1, 2}));
    }

    @Test void severalOutputsComeOutByName() throws Exception {
        Program p = agree("two_outputs", new long[] {1, 3, 8, 8});
        assertThat(p.outputs()).hasSize(2);
        Session s = InferencePlan.of(Pass.all(p, Pass.INFERENCE)).session(1);
        assertThat(s.outputNames()).hasSize(2);
        assertThat(s.outputSize(s.outputNames().get(0))).isEqualTo(5);
        assertThat(s.outputSize(s.outputNames().get(1))).isEqualTo(4 * 8 * 8);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> s.predict(new float[3 * 8 * 8], new float[5])).hasMessageContaining("predictAll");
    }
}
