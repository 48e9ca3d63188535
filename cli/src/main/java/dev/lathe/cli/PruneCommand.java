package dev.lathe.cli;

import dev.lathe.compress.PruneAndRetrain;
import dev.lathe.compress.Pruning;
import dev.lathe.data.Split;
import dev.lathe.nn.Module;
import dev.lathe.optim.Optimizer;
import dev.lathe.train.Checkpoint;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code lathe prune MODEL --sparsity 0.9 --retrain-epochs N --steps K -o pruned}: iterative magnitude
 * pruning of a trained Fashion-MNIST checkpoint with retraining of the survivors (masks kept), scored
 * on the validation split per round and on the test set at the end; writes a checkpoint whose pruned
 * weights are zeros (it loads, exports and runs like any other) and prints the storage/MACs report.
 */
@Command(name = "prune", mixinStandardHelpOptions = true, description = "Prune a trained checkpoint by weight magnitude and retrain the survivors; ends with a 'result ...' line.")
final class PruneCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "A checkpoint from 'lathe train --save'.")
    Path model;
    @Option(names = "--sparsity", defaultValue = "0.9", description = "Fraction of the Linear/Conv2d weights to remove, in [0, 1) (default: ${DEFAULT-VALUE}).")
    double sparsity;
    @Option(names = "--sensitivity", description = "Only the per-layer sensitivity sweep: each layer pruned alone to 50..95%, validation accuracy without retraining (writes nothing).")
    boolean sensitivity;
    @Option(names = "--steps", defaultValue = "5", description = "Prune-and-retrain rounds to reach the sparsity (default: ${DEFAULT-VALUE}).")
    int steps;
    @Option(names = "--retrain-epochs", defaultValue = "2", description = "Retraining epochs per round; 0 prunes without retraining (default: ${DEFAULT-VALUE}).")
    int retrainEpochs;
    @Option(names = "--method", defaultValue = "global", description = "layer (each layer to the sparsity) or global (one magnitude threshold over all layers) (default: ${DEFAULT-VALUE}).")
    String method;
    @Option(names = "--lr-scale", defaultValue = "0.3", description = "Retraining learning rate as a fraction of the checkpoint's (Han et al. use 1/10; 0.3 measured better for Adam here) (default: ${DEFAULT-VALUE}).")
    double lrScale;
    @Option(names = {"-o", "--output"}, description = "The pruned checkpoint to write (required unless --sensitivity).")
    Path output;
    @Option(names = "--data", defaultValue = "/usr/share/datasets/fashion-mnist", description = "Fashion-MNIST directory (default: ${DEFAULT-VALUE}).")
    Path data;
    @Option(names = "--threads", defaultValue = "0", description = "Kernel threads; 0 = one per core (default: ${DEFAULT-VALUE}).")
    int threads;
    @Spec CommandSpec spec;

    @Override public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        if (!(sparsity >= 0 && sparsity < 1)) throw new IllegalArgumentException("--sparsity must be in [0, 1), got " + sparsity);
        if (steps < 1) throw new IllegalArgumentException("--steps must be >= 1, got " + steps);
        if (retrainEpochs < 0) throw new IllegalArgumentException("--retrain-epochs must be >= 0, got " + retrainEpochs);
        if (!(lrScale > 0) || Double.isInfinite(lrScale)) throw new IllegalArgumentException("--lr-scale must be positive, got " + lrScale);
        PruneAndRetrain.Method how = switch (method) {
            case "layer" -> PruneAndRetrain.Method.LAYER;
            case "global" -> PruneAndRetrain.Method.GLOBAL;
            default -> throw new IllegalArgumentException("--method must be layer or global, got '" + method + "'");
        };
        TrainRun.Trained t = TrainRun.fromCheckpoint(model, data, threads);
        TrainOptions o = t.options();
        Module m = t.model();
        Checkpoint c = t.checkpoint();
        Split d = t.data();
        Split tv = o.val > 0 ? Split.of(d.first(), o.val, o.seed) : new Split(d.first(), d.second());
        double lr = o.lr * lrScale;
        var retrain = new PruneAndRetrain(m, ps -> Optimizer.named(o.optimizer, ps, lr, o.weightDecay), tv.first(), tv.second(), o.batch, o.seed);
        var test = new PruneAndRetrain(m, ps -> Optimizer.named(o.optimizer, ps, lr, o.weightDecay), tv.first(), d.second(), o.batch, o.seed);
        if (sensitivity) {
            out.printf(Locale.ROOT, "lathe: sensitivity of %s (%s): validation accuracy %.4f unpruned%n", model, o.model, retrain.evaluate().accuracy());
            for (PruneAndRetrain.Sensitivity s : retrain.sensitivity(new double[] {0.5, 0.7, 0.8, 0.9, 0.95})) {
                out.printf(Locale.ROOT, "sensitivity layer %s sparsity %.2f val_acc %.4f%n", s.layer(), s.sparsity(), s.accuracy());
            }
            return 0;
        }
        if (output == null) throw new IllegalArgumentException("-o/--output is required (the pruned checkpoint to write)");
        double base = test.evaluate().accuracy();
        out.printf(Locale.ROOT, "lathe: pruning %s (%s, test accuracy %.4f) to %.1f%% in %d round(s), %d retraining epoch(s) each at lr %s%n",
                model, o.model, base, 100 * sparsity, steps, retrainEpochs, lr);
        Pruning p = Pruning.of(m);
        for (PruneAndRetrain.Round r : retrain.run(p, how, sparsity, steps, retrainEpochs, null)) {
            out.printf(Locale.ROOT, "round %d sparsity %.4f val_acc_pruned %.4f val_acc_retrained %.4f%n", r.round(), r.sparsity(), r.prunedAccuracy(), r.retrainedAccuracy());
            out.flush();
        }
        double acc = test.evaluate().accuracy();
        out.print(p.describe(TrainRun.inputShape(o)));
        Checkpoint.save(output, o.spec(), m, Optimizer.named(o.optimizer, m.parameters(), o.lr, o.weightDecay), c.epoch());
        out.printf(Locale.ROOT, "wrote %s%nresult sparsity=%.4f test_accuracy=%.4f baseline_test_accuracy=%.4f%n", output, p.sparsity(), acc, base);
        return 0;
    }
}
