package dev.lathe.cli;

import dev.lathe.onnx.Conformance;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lathe onnx conformance [DIR]}: the ONNX backend test suite against Lathe's importer. */
@Command(name = "onnx", mixinStandardHelpOptions = true, description = "ONNX tools. 'conformance [DIR]' runs the ONNX backend tests (default: libonnx-testdata's).")
final class OnnxCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "conformance")
    String what;
    @Parameters(index = "1", arity = "0..1", description = "Test directory (default: ${DEFAULT-VALUE}).", defaultValue = "/usr/share/libonnx-testdata/data")
    Path dir;
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        if (!what.equals("conformance")) throw new IllegalArgumentException("unknown onnx tool '" + what + "' (conformance)");
        Conformance.run(dir, spec.commandLine().getOut());
        return 0;
    }
}
