package dev.lathe.cli;

import dev.lathe.models.Zoo;
import dev.lathe.nn.Module;
import dev.lathe.tensor.Shape;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code lathe summary MODEL}: the Keras-style layer table of a named or zoo model. */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Print a model's layers, output shapes, parameters, MACs and memory.")
final class SummaryCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "Model name: mlp, cnn, classic-cnn, or a zoo model: alexnet, vgg11, vgg16, googlenet, resnet18, resnet34, resnet50, "
            + "squeezenet1_0, squeezenet1_1, mobilenet_v1, mobilenet_v2, densenet121, and the -mini variants (vgg-mini, resnet-mini, inception-mini, "
            + "squeezenet-mini, mobilenet_v1-mini, mobilenet_v2-mini, densenet-mini).")
    String model;
    @Option(names = "--input", split = ",", paramLabel = "C,H,W", description = "Input channels,height,width of a zoo model (default: 3,224,224; 3,32,32 for -mini).")
    int[] input;
    @Option(names = "--classes", description = "Classes of a zoo model (default: 1000; 10 for -mini).")
    Integer classes;
    @Mixin TrainOptions options = new TrainOptions();
    @Spec CommandSpec spec;

    @Override public Integer call() {
        Module m;
        Shape in;
        if (Zoo.has(model)) {
            boolean mini = model.endsWith("-mini");
            int[] chw = input != null ? input : mini ? new int[] {3, 32, 32} : new int[] {3, 224, 224};
            if (chw.length != 3) throw new IllegalArgumentException("--input needs channels,height,width, got " + chw.length + " numbers");
            in = Shape.batchOf(chw);
            m = Zoo.build(model, classes != null ? classes : mini ? 10 : 1000, in, options.seed);
        } else {
            if (input != null || classes != null) throw new IllegalArgumentException("--input and --classes apply to zoo models; '" + model + "' has a fixed input");
            options.model = model;
            m = FashionRun.model(options);
            in = FashionRun.inputShape(model);
        }
        spec.commandLine().getOut().print(m.summary(in));
        return 0;
    }
}
