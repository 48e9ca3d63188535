package dev.lathe.cli;

import dev.lathe.labs.Lab;
import dev.lathe.labs.LabContext;
import dev.lathe.labs.LabResult;
import dev.lathe.labs.Labs;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lathe lab list|NAME|all}: runs the course's experiments, prints what they found, writes their plots. */
@Command(name = "lab", mixinStandardHelpOptions = true, description = "Run a course lab (experiment with plots): 'list' shows them, 'all' runs every one.")
final class LabCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "list, all, or a lab name")
    String name;
    @Option(names = "--out", paramLabel = "DIR", description = "Directory for plots and tables (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("lab-out");
    @Option(names = "--seed", description = "Seed for data, weights and shuffling (default: ${DEFAULT-VALUE}).")
    long seed = 0;
    @Option(names = "--quick", description = "Reduced runs and steps (what the tests use).")
    boolean quick;
    @Option(names = "--data", description = "Fashion-MNIST directory, for the labs that use it (default: ${DEFAULT-VALUE}).")
    Path data = dev.lathe.data.FashionMnist.DEFAULT_DIR;
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        if (name.equals("list")) {
            for (Lab l : Labs.all()) o.printf("%-18s %s%n", l.name(), l.description());
            return 0;
        }
        LabContext ctx = new LabContext(out, seed, quick, data);
        for (Lab l : name.equals("all") ? Labs.all() : java.util.List.of(Labs.named(name))) {
            long t0 = System.nanoTime();
            LabResult r = l.run(ctx);
            o.print(r.report());
            o.printf("  took %.1f s%n", (System.nanoTime() - t0) / 1e9);
            o.flush();
        }
        return 0;
    }
}
