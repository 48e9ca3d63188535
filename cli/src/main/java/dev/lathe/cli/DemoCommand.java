package dev.lathe.cli;

import dev.lathe.plot.LossCurves;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lathe demo}: the Fashion MLP for two epochs, with progress, result line and loss plot. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train the Fashion-MNIST MLP (784-256-128-10, Adam 1e-3, batch 64, 2 epochs), print the result and write plots.")
final class DemoCommand implements Callable<Integer> {
    @Mixin TrainOptions options = new TrainOptions();
    @Option(names = "--out", defaultValue = "out/demo", description = "Directory for the plots (default: ${DEFAULT-VALUE}).")
    Path outDir;
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        TrainRun.Outcome r = TrainRun.train(options, out, Terminal.showProgress(options));
        out.println(r.model().summary(TrainRun.inputShape(options)));
        Path png = LossCurves.write(r.history(), outDir.resolve("loss.png"), "Fashion-MNIST " + options.model);
        out.println("wrote " + png);
        TrainRun.printResult(out, r);
        return 0;
    }
}
