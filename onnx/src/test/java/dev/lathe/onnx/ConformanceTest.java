package dev.lathe.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The ONNX backend test suite from Debian's libonnx-testdata (installed by .ci/run). */
class ConformanceTest {
    static final Path SUITE = Path.of("/usr/share/libonnx-testdata/data");
    /**
     * Tests passed on libonnx-testdata 1.12.0 (Debian bookworm), the figure in the README's ONNX table: fewer is a
     * regression (an operator that passed now fails or reports itself unsupported). Raise it when support grows.
     */
    static final int MIN_PASSED = 809;

    @Test void backendSuiteRunsAndCountsHonestly() throws Exception {
        Assumptions.assumeTrue(Files.isDirectory(SUITE), "libonnx-testdata not installed (sudo apt-get install libonnx-testdata); .ci/run installs it");
        StringWriter log = new StringWriter();
        Conformance.Summary s = Conformance.run(SUITE, new PrintWriter(log));
        System.out.println(s.line());
        assertThat(log.toString()).contains(s.line());
        // every test in the suite is counted once: as many results as model.onnx files, found here independently
        try (Stream<Path> files = Files.walk(SUITE)) {
            assertThat(s.results()).as("results against the suite's model.onnx files").hasSize((int) files.filter(f -> f.getFileName().toString().equals("model.onnx")).count());
        }
        // a wrong answer is never acceptable (a missing operator is UNSUPPORTED, not FAILED), and the pass count never drops
        assertThat(s.results()).filteredOn(r -> r.outcome() == Conformance.Outcome.FAILED).extracting(r -> r.name() + ": " + r.detail())
                .as("failed conformance tests (%s)", s.line()).isEmpty();
        assertThat(s.count(Conformance.Outcome.PASSED)).as("passed conformance tests (%s); known result %d", s.line(), MIN_PASSED).isGreaterThanOrEqualTo(MIN_PASSED);
        // the operators Lathe's own models need pass their node tests
        for (String t : new String[] {"node/test_relu", "node/test_conv_with_strides_padding", "node/test_maxpool_2d_default", "node/test_gemm_default_no_bias",
            "node/test_globalaveragepool", "node/test_batchnorm_example", "node/test_flatten_axis1", "node/test_concat_2d_axis_1", "node/test_softmax_axis_1", "node/test_add_bcast"}) {
            assertThat(s.results()).filteredOn(r -> r.name().equals(t)).extracting(Conformance.TestResult::outcome).as(t).containsExactly(Conformance.Outcome.PASSED);
        }
    }

    @Test void aMismatchIsAFailureAndAMissingOperatorIsUnsupported() throws Exception {
        assertThat(Conformance.compare(Value.of(dev.lathe.tensor.Tensor.of(new float[] {1f, 2f}, 2)), Value.of(dev.lathe.tensor.Tensor.of(new float[] {1f, 2.01f}, 2))))
                .contains("element 1");
        assertThat(Conformance.compare(Value.of(dev.lathe.tensor.Tensor.of(new float[] {1f, 2f}, 2)), Value.of(dev.lathe.tensor.Tensor.of(new float[] {1f, 2.0001f}, 2)))).isNull();
    }
}
