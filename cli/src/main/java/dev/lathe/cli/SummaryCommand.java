package dev.lathe.cli;

import dev.lathe.tensor.Shape;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lathe summary MODEL}: the Keras-style layer table of a named model. */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Print a model's layers, output shapes, parameters and MACs.")
final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Model name: mlp, cnn, classic-cnn.")
    String model;
    @Mixin TrainOptions options = new TrainOptions();
    @Spec CommandSpec spec;

    @Override public Integer call() {
        options.model = model;
        spec.commandLine().getOut().print(FashionRun.model(options).summary(FashionRun.inputShape(model)));
        return 0;
    }
}
