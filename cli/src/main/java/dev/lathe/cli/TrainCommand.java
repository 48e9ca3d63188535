package dev.lathe.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lathe train}: trains a model on Fashion-MNIST or the engineer's own data (--data) and reports test metrics. */
@Command(name = "train", mixinStandardHelpOptions = true, description = "Train a model on Fashion-MNIST or your own data (--data: CSV, image folder, CIFAR-10, .npz); ends with a 'result ...' line.")
final class TrainCommand implements Callable<Integer> {
    @Mixin TrainOptions options = new TrainOptions();
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var parsed = spec.commandLine().getParseResult();
        options.given = parsed.matchedOptions().stream().map(o -> o.longestName()).collect(java.util.stream.Collectors.toSet());
        if (CharRun.isCharModel(options.model)) {
            CharRun.Outcome c = CharRun.train(options, out);
            out.println("sample (prime \"static int\", temperature 0.8):");
            out.println(CharRun.sample(c.model(), "static int", 300, 0.8, 0, options.seed));
            CharRun.printResult(out, c);
            return 0;
        }
        TrainRun.Outcome r = TrainRun.train(options, out, Terminal.showProgress(options));
        TrainRun.printResult(out, r);
        return 0;
    }
}
