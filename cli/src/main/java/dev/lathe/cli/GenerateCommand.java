package dev.lathe.cli;

import dev.lathe.models.CharModel;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lathe generate --model FILE --prime TEXT}: samples text from a trained char model. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Sample text from a char model saved by 'lathe train --model char-lstm --save FILE'.")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "The saved char model.")
    Path model;
    @Option(names = "--prime", defaultValue = "static int", description = "Text to start from (default: ${DEFAULT-VALUE}).")
    String prime;
    @Option(names = "--length", defaultValue = "500", description = "Characters to generate (default: ${DEFAULT-VALUE}).")
    int length;
    @Option(names = "--temperature", defaultValue = "0.8", description = "Sampling temperature; lower is more conservative (default: ${DEFAULT-VALUE}).")
    double temperature;
    @Option(names = "--top-k", defaultValue = "0", description = "Sample only among the k likeliest characters; 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;
    @Option(names = "--seed", defaultValue = "0", description = "Seed for sampling (default: ${DEFAULT-VALUE}).")
    long seed;
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        CharModel m = CharRun.load(model);
        spec.commandLine().getOut().println(CharRun.sample(m, prime, length, temperature, topK, seed));
        return 0;
    }
}
