package dev.lathe.compress;

import dev.lathe.data.DataLoader;
import dev.lathe.data.Dataset;
import dev.lathe.nn.Dropout;
import dev.lathe.nn.Module;
import dev.lathe.optim.Optimizer;
import dev.lathe.train.Evaluation;
import dev.lathe.train.LossFunction;
import dev.lathe.train.Trainer;
import dev.lathe.train.TrainingListener;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Iterative prune and retrain (Han et al. 2015): per round, prune to the round's sparsity, scale
 * dropout by sqrt(C_after / C_before), retrain the survivors (masks re-applied after every step) at
 * a reduced learning rate, score on the evaluation set. One object for the CLI's {@code lathe
 * prune} and the pruning lab.
 */
public final class PruneAndRetrain {
    /** How a round prunes: per layer to the sparsity, or globally (one threshold). */
    public enum Method { LAYER, GLOBAL }

    /** After one round: the sparsity reached, accuracy right after pruning and after retraining. */
    public record Round(int round, double sparsity, double prunedAccuracy, double retrainedAccuracy) {}

    private final Module model;
    private final Function<List<dev.lathe.autograd.Variable>, Optimizer> optimizer;
    private final Dataset train;
    private final Dataset eval;
    private final int batch;
    private final long seed;

    /** optimizer: builds the retraining optimizer (already at the reduced rate) for the model's parameters. */
    public PruneAndRetrain(Module model, Function<List<dev.lathe.autograd.Variable>, Optimizer> optimizer, Dataset train, Dataset eval, int batch, long seed) {
        this.model = model;
        this.optimizer = optimizer;
        this.train = train;
        this.eval = eval;
        this.batch = batch;
        this.seed = seed;
    }

    /** One point of the sensitivity sweep: one layer pruned alone to a sparsity, no retraining. */
    public record Sensitivity(String layer, double sparsity, double accuracy) {}

    /**
     * The per-layer sensitivity sweep (Han et al.): each prunable layer pruned alone, by magnitude, to
     * each sparsity of the grid, and scored without retraining; the model is restored afterwards. A
     * layer whose accuracy falls early deserves a lower sparsity (or the global threshold's share).
     */
    public List<Sensitivity> sensitivity(double[] grid) {
        Map<String, dev.lathe.tensor.Tensor> saved = model.stateDict();
        List<Sensitivity> out = new ArrayList<>();
        try {
            for (Pruning.Layer l : Pruning.of(model).layers()) {
                for (double s : grid) {
                    model.loadStateDict(saved);
                    Pruning.of(model).pruneLayerTo(l.name(), s);
                    out.add(new Sensitivity(l.name(), s, evaluate().accuracy()));
                }
            }
        } finally {
            model.loadStateDict(saved);
        }
        return out;
    }

    public Evaluation evaluate() {
        Trainer t = Trainer.builder(model, optimizer.apply(model.parameters()), LossFunction.crossEntropy()).epochs(1).build();
        return t.evaluate(DataLoader.inOrder(eval, 1000));
    }

    /** Runs the rounds to {@code target} sparsity in {@code steps} rounds, retraining {@code epochs} epochs each (0 = prune only). */
    public List<Round> run(Pruning p, Method method, double target, int steps, int epochs, TrainingListener progress) {
        Map<Dropout, Double> rates = new IdentityHashMap<>();
        List<Round> rounds = new ArrayList<>();
        double[] targets = Pruning.iterativeTargets(target, steps);
        for (int r = 0; r < targets.length; r++) {
            if (method == Method.GLOBAL) p.pruneGlobalTo(targets[r]);
            else p.pruneEachLayerTo(targets[r]);
            double pruned = evaluate().accuracy();
            double retrained = pruned;
            if (epochs > 0) {
                p.rescaleDropout(rates);
                Trainer.Builder b = Trainer.builder(model, optimizer.apply(model.parameters()), LossFunction.crossEntropy()).epochs(epochs).listener(p.keepApplied());
                if (progress != null) b.listener(progress);
                b.build().fit(new DataLoader(train, batch, true, seed + r, false), null);
                p.apply();
                retrained = evaluate().accuracy();
            }
            rounds.add(new Round(r + 1, p.sparsity(), pruned, retrained));
        }
        rates.forEach(Dropout::setProbability);  // the model leaves with its dropout rates as they were
        return rounds;
    }
}
