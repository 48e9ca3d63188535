package dev.lathe.codegen;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.lathe.nn.LayerCases;
import dev.lathe.nn.Module;
import dev.lathe.runtime.InferencePlan;
import dev.lathe.runtime.QuantizedPlan;
import dev.lathe.runtime.QuantizedSession;
import dev.lathe.runtime.Session;
import dev.lathe.tensor.Shape;
import dev.lathe.tensor.Tensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layer contract's export stages, for every registered layer ({@link LayerCases}): where the C
 * backend takes the frozen layer, gcc-compiled C computes what the session does; where the int8
 * backend takes it, the int8 C is bit-exact with the int8 session. Which layers each backend refuses
 * is written down here, so a new layer no backend handles, or a backend losing one, fails a test.
 */
class LayerExportContractTest {
    @TempDir Path dir;

    /** Layers the fp32 C backend refuses (by name): dense layers on more than [1, features], and what the runtime does not take. */
    static final Set<String> NOT_IN_C = Set.of("linear-no-bias-3d", "lstm", "gru-2-layers");

    /**
     * Layers the int8 backend takes: dense and depthwise convs, dense layers on vectors, max and global average pooling, ReLU/ReLU6,
     * two-input adds, flatten. It refuses (by name) the rest: tanh/sigmoid/softmax, grouped convs, concat, windowed average pooling,
     * batch norm after no conv, resize, transposed convs.
     */
    static final Set<String> IN_INT8 = Set.of("linear", "relu", "relu6", "dropout-eval", "flatten", "conv2d", "conv2d-same-dilated", "conv2d-depthwise",
            "conv2d-pointwise", "maxpool", "maxpool-3s2p1", "maxpool-ceil", "global-avgpool", "relu-maxpool-fused", "cnn", "graph-basic-block-downsample",
            "graph-inverted-residual");

    static Shape sampleShape(LayerCases.Case c) {
        int[] s = c.inputShape().clone();
        s[0] = Shape.ANY;
        return Shape.of(s);
    }

    @Test void fp32CComputesWhatTheSessionDoesForEveryLayerTheBackendTakes() throws Exception {
        assumeTrue(CExportTest.hasGcc(), "gcc not installed");
        Set<String> refused = new TreeSet<>();
        for (LayerCases.Case c : LayerCases.all().toList()) {
            Module m = LayerCases.withState(c, 11);
            Shape in = sampleShape(c);
            InferencePlan plan;
            try {
                plan = InferencePlan.freeze(m, in);
            } catch (IllegalArgumentException e) {
                assertThat(e).as(c.name()).hasMessageContaining("no inference op");
                refused.add(c.name());
                continue;
            }
            Path d = Files.createDirectories(dir.resolve("f-" + c.name()));
            try {
                CExport.write(plan, 0, d);
            } catch (IllegalArgumentException e) {
                assertThat(e).as(c.name()).hasMessageContaining("C export: layer '");
                refused.add(c.name());
                continue;
            }
            int n = 3, per = (int) in.sampleSize();
            float[] x = CExportTest.inputs(in, n, 13), got = CExportTest.runFloat(d, CExportTest.compile(d, false, false), x);
            Session s = plan.session(1);
            assertThat(got).as(c.name()).hasSize(n * s.outputSize());
            for (int k = 0; k < n; k++) {
                float[] want = s.predict(Arrays.copyOfRange(x, k * per, (k + 1) * per));
                for (int i = 0; i < want.length; i++) {
                    assertThat(got[k * want.length + i]).as("%s sample %d output %d", c.name(), k, i).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-4f + 1e-4f * Math.abs(want[i])));
                }
            }
        }
        assertThat(refused).isEqualTo(new TreeSet<>(NOT_IN_C));
    }

    @Test void int8CIsBitExactWithTheInt8SessionForEveryLayerTheBackendTakes() throws Exception {
        assumeTrue(CExportTest.hasGcc(), "gcc not installed");
        Set<String> taken = new TreeSet<>();
        for (LayerCases.Case c : LayerCases.all().toList()) {
            if (LayerCases.NOT_IN_THE_RUNTIME.contains(c.name())) continue;
            Module m = LayerCases.withState(c, 11);
            Shape in = sampleShape(c);
            InferencePlan plan = InferencePlan.freeze(m, in);
            QuantizedPlan q;
            try {
                q = QuantizedPlan.quantize(plan, Tensor.normal(new Random(14), 0, 1, in.with(0, 20).dims()), QuantizedPlan.Calibration.MINMAX);
            } catch (IllegalArgumentException e) {
                assertThat(e).as(c.name()).hasMessageContaining("int8:");
                continue;
            }
            taken.add(c.name());
            Path d = Files.createDirectories(dir.resolve("q-" + c.name()));
            CExport.write(q, 0, d);
            int n = 3, per = (int) in.sampleSize();
            float[] x = CExportTest.inputs(in, n, 15);
            QuantizedSession s = q.session(1);
            byte[] xq = new byte[n * per];
            java.io.ByteArrayOutputStream want = new java.io.ByteArrayOutputStream();
            for (int k = 0; k < n; k++) {
                float[] one = Arrays.copyOfRange(x, k * per, (k + 1) * per);
                s.predict(one);
                want.writeBytes(s.lastOutputQuantized());
                for (int i = 0; i < per; i++) xq[k * per + i] = q.inputParams().quantize(one[i]);
            }
            assertThat(CExportTest.runInt8(d, CExportTest.compile(d, true, false), xq)).as(c.name()).containsExactly(want.toByteArray());
        }
        assertThat(taken).isEqualTo(new TreeSet<>(IN_INT8));
    }
}
