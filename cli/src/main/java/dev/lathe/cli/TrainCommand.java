package dev.lathe.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lathe train}: trains a model on Fashion-MNIST and reports test accuracy. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model on Fashion-MNIST; ends with a 'result ...' line.")
final class TrainCommand implements Callable<Integer> {
    @Mixin TrainOptions options = new TrainOptions();
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        FashionRun.Outcome r = FashionRun.train(options, out, Terminal.showProgress(options));
        FashionRun.printResult(out, r);
        return 0;
    }
}
