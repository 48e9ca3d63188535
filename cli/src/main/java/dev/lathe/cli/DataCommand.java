package dev.lathe.cli;

import dev.lathe.sources.Inspect;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lathe data inspect PATH}: what a table, image folder or array file holds, before training on it. */
@Command(name = "data", mixinStandardHelpOptions = true, description = "Data tools. 'inspect PATH': rows or images, columns and inferred types, missing values, class balance, value ranges.")
final class DataCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "inspect")
    String what;
    @Parameters(index = "1", paramLabel = "PATH", description = "A CSV/TSV table, a folder of class sub-folders of images, a CIFAR-10 folder, a .npz, or x.npy.")
    Path data;
    @Option(names = "--grid", paramLabel = "FILE", defaultValue = "examples.png", description = "For an image folder: a PNG of example images, one row per class (default: ${DEFAULT-VALUE}).")
    Path grid;
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        if (!what.equals("inspect")) throw new IllegalArgumentException("unknown data tool '" + what + "' (inspect)");
        var out = spec.commandLine().getOut();
        for (String line : Inspect.describe(data, grid)) out.println(line);
        return 0;
    }
}
